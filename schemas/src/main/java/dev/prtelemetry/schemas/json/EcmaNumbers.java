package dev.prtelemetry.schemas.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats an IEEE-754 double exactly as ECMAScript's {@code Number.prototype.toString}
 * does (ECMA-262 §6.1.6.1.20), which is what RFC 8785 §3.2.2.3 requires: the shortest
 * decimal that reads back as the same double, the closest such one when several have
 * that length (ties to even), and the ECMAScript choice between plain and exponent form.
 *
 * <p>Java 17's {@code Double.toString} is not always shortest (JDK-4511638), so the
 * digits are found with exact {@link BigDecimal} arithmetic instead.
 */
public final class EcmaNumbers {
    private static final double TWO_POW_53 = 9007199254740992d;

    private static final RoundingMode[] ROUNDINGS = {RoundingMode.HALF_EVEN, RoundingMode.FLOOR, RoundingMode.CEILING};

    private EcmaNumbers() {
    }

    /** The ECMAScript string for {@code value}; NaN and infinities are refused. */
    public static String format(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new CanonicalizationException("number " + value + " cannot be represented in JSON (RFC 8785 §3.2.2.3)");
        }
        if (value == 0) {
            return "0"; // both +0 and -0
        }
        // Integers below 2^53 are their own shortest form and the common case (seq, exit codes, counts).
        if (Math.abs(value) < TWO_POW_53 && value == Math.rint(value) && Math.abs(value) < 1e21) {
            return Long.toString((long) value);
        }
        String few = fewDecimals(value);
        if (few != null) {
            return few;
        }
        BigDecimal digits = shortestDigits(Math.abs(value));
        return (value < 0 ? "-" : "") + layout(digits);
    }

    private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};

    /**
     * The fast path for the common fractional values (timestamps in seconds with ms or µs,
     * durations): when {@code m / 10^k} reads back as {@code value} for the smallest k ≤ 6,
     * that decimal is the shortest one. Why: {@code m} and {@code 10^k} are exact doubles, so
     * IEEE division gives the double nearest to the decimal, i.e. what parsing it gives; and
     * while |value|·10^k < 2^49 a double's spacing is far below 10^-k, so at most one decimal
     * with k fraction digits reads back as {@code value} and any with fewer would have been
     * found at a smaller k (rounding {@code value·10^j} finds it). ECMAScript prints such a
     * value (10^-6 ≤ |value| < 10^21) in plain notation. Null when the fast path does not apply.
     */
    static String fewDecimals(double value) {
        double abs = Math.abs(value);
        if (abs < 1e-6) {
            return null;
        }
        for (int k = 1; k < POW10.length; k++) {
            double scaled = abs * POW10[k];
            if (scaled >= 0x1p49) {
                return null;
            }
            long m = Math.round(scaled);
            if (m / POW10[k] == abs) {
                String digits = Long.toString(m);
                StringBuilder out = new StringBuilder(digits.length() + k + 3);
                if (value < 0) {
                    out.append('-');
                }
                int intDigits = digits.length() - k;
                if (intDigits > 0) {
                    out.append(digits, 0, intDigits).append('.').append(digits, intDigits, digits.length());
                } else {
                    out.append("0.");
                    for (int z = intDigits; z < 0; z++) {
                        out.append('0');
                    }
                    out.append(digits);
                }
                return out.toString();
            }
        }
        return null;
    }

    /** The general (slow, exact) path, for tests that compare the two. */
    static String formatExact(double value) {
        if (value == 0) {
            return "0";
        }
        return (value < 0 ? "-" : "") + layout(shortestDigits(Math.abs(value)));
    }

    /** The shortest round-tripping decimal for a positive finite double, trailing zeros stripped. */
    static BigDecimal shortestDigits(double v) {
        BigDecimal exact = new BigDecimal(v);
        // For a normal double, any decimal of at most 15 significant digits that reads back
        // as v is the 15-digit rounding of v (the round-trip interval, at most 2^-53·v each
        // side, is narrower than half the 15-digit grid spacing), so the search can start
        // at 15 digits. Subnormals have wider intervals relative to their value: search all.
        int first = v >= Double.MIN_NORMAL ? 15 : 1;
        for (int precision = first; precision <= 17; precision++) {
            BigDecimal best = null;
            for (RoundingMode mode : ROUNDINGS) {
                BigDecimal candidate = exact.round(new MathContext(precision, mode));
                if (candidate.doubleValue() != v) {
                    continue;
                }
                if (best == null || closer(candidate, best, exact)) {
                    best = candidate;
                }
                if (mode == RoundingMode.HALF_EVEN) {
                    break; // the nearest decimal of this length reads back: nothing can beat it
                }
            }
            if (best != null) {
                return best.stripTrailingZeros();
            }
        }
        throw new IllegalStateException("no 17-digit decimal reads back as " + v); // impossible for binary64
    }

    private static boolean closer(BigDecimal candidate, BigDecimal best, BigDecimal exact) {
        int cmp = candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs());
        if (cmp != 0) {
            return cmp < 0;
        }
        return !candidate.unscaledValue().testBit(0) && best.unscaledValue().testBit(0);
    }

    /** ECMA-262 Number::toString steps 5–12 for value = s × 10^(n−k), s having k digits. */
    private static String layout(BigDecimal d) {
        BigInteger unscaled = d.unscaledValue();
        String s = unscaled.toString();
        int k = s.length();
        int n = k - d.scale();
        StringBuilder out = new StringBuilder(k + 8);
        if (k <= n && n <= 21) {
            out.append(s);
            out.append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(s, 0, n).append('.').append(s, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(s);
        } else {
            int e = n - 1;
            out.append(s.charAt(0));
            if (k > 1) {
                out.append('.').append(s, 1, k);
            }
            out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return out.toString();
    }
}

package dev.prtelemetry.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EcmaNumbersTest {

    /** RFC 8785 Appendix B: IEEE-754 bit patterns and their canonical JSON text. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0000000000000000, 0",
        "8000000000000000, 0",
        "0000000000000001, 5e-324",
        "8000000000000001, -5e-324",
        "7fefffffffffffff, 1.7976931348623157e+308",
        "ffefffffffffffff, -1.7976931348623157e+308",
        "4340000000000000, 9007199254740992",
        "c340000000000000, -9007199254740992",
        "4430000000000000, 295147905179352830000",
        "44b52d02c7e14af5, 9.999999999999997e+22",
        "44b52d02c7e14af6, 1e+23",
        "44b52d02c7e14af7, 1.0000000000000001e+23",
        "444b1ae4d6e2ef4e, 999999999999999700000",
        "444b1ae4d6e2ef4f, 999999999999999900000",
        "444b1ae4d6e2ef50, 1e+21",
        "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
        "3eb0c6f7a0b5ed8d, 0.000001",
        "41b3de4355555553, 333333333.3333332",
        "41b3de4355555554, 333333333.33333325",
        "41b3de4355555555, 333333333.3333333",
        "41b3de4355555556, 333333333.3333334",
        "41b3de4355555557, 333333333.33333343",
        "becbf647612f3696, -0.0000033333333333333333",
        "43143ff3c1cb0959, 1424953923781206.2",
    })
    void formatsAppendixBSamplesAsTheRfcPrintsThem(String bits, String expected) {
        double value = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
        assertThat(EcmaNumbers.format(value)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"7fffffffffffffff", "7ff8000000000000", "7ff0000000000000", "fff0000000000000"})
    void refusesNanAndInfinity(String bits) {
        double value = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
        assertThatThrownBy(() -> EcmaNumbers.format(value)).isInstanceOf(CanonicalizationException.class);
    }

    @Property(tries = 3000)
    void outputReadsBackAsTheSameDoubleAndNoShorterDecimalDoes(@ForAll long bits) {
        double value = Double.longBitsToDouble(bits);
        if (Double.isNaN(value) || Double.isInfinite(value) || value == 0) {
            return;
        }
        String text = EcmaNumbers.format(value);
        assertThat(Double.parseDouble(text)).isEqualTo(value);
        int digits = new BigDecimal(text).stripTrailingZeros().precision();
        BigDecimal exact = new BigDecimal(Math.abs(value));
        for (int p = 1; p < digits; p++) {
            for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
                assertThat(exact.round(new MathContext(p, mode)).doubleValue())
                        .as("a %d-digit decimal would also read back as %s", p, text)
                        .isNotEqualTo(Math.abs(value));
            }
        }
    }

    /**
     * The few-decimals fast path must agree with the exact search wherever it answers: values
     * with 1–6 fraction digits at every magnitude up to where it gives up, their neighbours one
     * ulp away (which need more digits), and values near the 10^-6 and 2^49 edges.
     */
    @Test
    void fewDecimalsFastPathAgreesWithTheExactSearch() {
        SplittableRandom random = new SplittableRandom(49);
        int answered = 0;
        for (int i = 0; i < 300_000; i++) {
            int k = random.nextInt(1, 7);
            long m = switch (i % 3) {
                case 0 -> random.nextLong(1, 1L << 49);
                case 1 -> random.nextLong(1, 10_000_000);
                default -> (long) Math.pow(10, random.nextInt(0, 15)) + random.nextInt(-3, 4);
            };
            double v = m / Math.pow(10, k);
            for (double x : new double[] {v, -v, Math.nextUp(v), Math.nextDown(v)}) {
                if (x == 0 || x == Math.rint(x)) {
                    continue;
                }
                String fast = EcmaNumbers.fewDecimals(x);
                if (fast != null) {
                    answered++;
                    assertThat(fast).as("bits %s", Long.toHexString(Double.doubleToRawLongBits(x)))
                            .isEqualTo(EcmaNumbers.formatExact(x));
                }
            }
        }
        assertThat(answered).as("the fast path answered for most of these values").isGreaterThan(300_000);
        assertThat(EcmaNumbers.fewDecimals(1e-7)).isNull();
        assertThat(EcmaNumbers.fewDecimals(0.000001)).isEqualTo("0.000001");
        assertThat(EcmaNumbers.fewDecimals(1732651200.123)).isEqualTo("1732651200.123");
        assertThat(EcmaNumbers.fewDecimals(0.1 + 0.2)).isNull(); // 0.30000000000000004
    }

    /**
     * The reference is ECMAScript itself: Node.js formats the same random doubles with
     * String(x). Runs where node is installed (it is on this project's machines and CI).
     */
    @Test
    void agreesWithNodeJsOnRandomDoubles(@TempDir Path dir) throws Exception {
        assumeTrue(commandExists("node"), "node is not installed");
        SplittableRandom random = new SplittableRandom(8785);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 20000; i++) {
            double v = switch (i % 4) {
                case 0 -> Double.longBitsToDouble(random.nextLong()); // anywhere in binary64
                case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(-30, 30));
                case 2 -> 1.7e9 + random.nextInt(100_000_000) / 1000.0; // timestamps like ts_client_s
                default -> Double.longBitsToDouble(random.nextLong(0, 0x0010000000000000L)); // subnormals
            };
            if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                values.add(v);
            }
        }
        Path input = dir.resolve("bits.txt");
        StringBuilder lines = new StringBuilder();
        for (double v : values) {
            lines.append(Long.toHexString(Double.doubleToRawLongBits(v))).append('\n');
        }
        Files.writeString(input, lines);
        String script = "const fs=require('fs');const out=[];"
                + "for(const h of fs.readFileSync(process.argv[1],'utf8').trim().split('\\n')){"
                + "const b=Buffer.alloc(8);b.writeBigUInt64BE(BigInt('0x'+h));out.push(String(b.readDoubleBE(0)));}"
                + "process.stdout.write(out.join('\\n'));";
        Process node = new ProcessBuilder("node", "-e", script, input.toString()).redirectErrorStream(true).start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        String[] expected = output.split("\n");
        assertThat(expected).hasSize(values.size());
        for (int i = 0; i < values.size(); i++) {
            assertThat(EcmaNumbers.format(values.get(i))).as("bits %s", Long.toHexString(Double.doubleToRawLongBits(values.get(i))))
                    .isEqualTo(expected[i]);
        }
    }

    static boolean commandExists(String command) {
        try {
            Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}

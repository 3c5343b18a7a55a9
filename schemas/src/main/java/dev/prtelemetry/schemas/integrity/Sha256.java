package dev.prtelemetry.schemas.integrity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 and lowercase hex, the only digest and encoding trace format v1 uses. */
public final class Sha256 {
    private static final HexFormat HEX = HexFormat.of();
    /** Getting a MessageDigest goes through the provider registry each time: keep one per thread. */
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(Sha256::create);

    private Sha256() {
    }

    /** This thread's SHA-256 digest, reset; do not keep it across calls that may hash too. */
    public static MessageDigest newDigest() {
        MessageDigest md = DIGESTS.get();
        md.reset();
        return md;
    }

    private static MessageDigest create() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public static byte[] digest(byte[] data) {
        return newDigest().digest(data);
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** Decodes hex (either case); refuses odd lengths and non-hex characters. */
    public static byte[] unhex(String hex) {
        try {
            return HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not hex: '" + abbreviate(hex) + "'", e);
        }
    }

    /** True for a 64-character lowercase hex string, the form every hash in a trace takes. */
    public static boolean isHash(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}

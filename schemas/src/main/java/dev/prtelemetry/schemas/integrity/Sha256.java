package dev.prtelemetry.schemas.integrity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 and lowercase hex, the only digest and encoding trace format v1 uses. */
public final class Sha256 {
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private Sha256() {
    }

    public static MessageDigest newDigest() {
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
        return s != null && HEX64.matcher(s).matches();
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}

package dev.prtelemetry.schemas.model;

import java.util.regex.Pattern;

/** A claim check {@code artifact://sha256/<hex>}: a blob stored by its SHA-256. */
public record ArtifactRef(String sha256) {
    /** What every reference starts with. */
    public static final String PREFIX = "artifact://sha256/";
    /** A reference anywhere in a text (group 1: the SHA-256): one definition for every module that looks for them. */
    public static final Pattern PATTERN = Pattern.compile("artifact://sha256/([0-9a-f]{64})");
    private static final Pattern URI = PATTERN;

    public ArtifactRef {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("an artifact's SHA-256 is 64 lowercase hex digits, not '" + sha256 + "'");
        }
    }

    public static ArtifactRef parse(String uri) {
        var m = URI.matcher(uri == null ? "" : uri);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an artifact reference (artifact://sha256/<64 hex>): '" + uri + "'");
        }
        return new ArtifactRef(m.group(1));
    }

    /** The blob's key under an object store's base: {@code artifacts/sha256/<hex>} (one copy however many traces cite it). */
    public String key() {
        return "artifacts/sha256/" + sha256;
    }

    /** Where the gateway stores the blob under an object store base: {@code <base>/artifacts/sha256/<hex>}. */
    public String location(String base) {
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/" + key();
    }

    public String uri() {
        return PREFIX + sha256;
    }

    @Override
    public String toString() {
        return uri();
    }
}

package dev.prtelemetry.schemas.model;

import java.util.regex.Pattern;

/** A claim check {@code artifact://sha256/<hex>}: a blob stored by its SHA-256. */
public record ArtifactRef(String sha256) {
    private static final String PREFIX = "artifact://sha256/";
    private static final Pattern URI = Pattern.compile("artifact://sha256/([0-9a-f]{64})");

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

    public String uri() {
        return PREFIX + sha256;
    }

    @Override
    public String toString() {
        return uri();
    }
}

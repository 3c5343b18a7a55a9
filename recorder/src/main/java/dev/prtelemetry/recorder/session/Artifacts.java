package dev.prtelemetry.recorder.session;

import dev.prtelemetry.schemas.integrity.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Content-addressed blobs waiting in {@code .prt/artifacts/<sha256>} until uploaded. */
public final class Artifacts {
    public static final String PREFIX = dev.prtelemetry.schemas.model.ArtifactRef.PREFIX;

    private Artifacts() {
    }

    /** Stores {@code bytes} by their SHA-256 and returns the artifact reference. */
    public static String put(Workspace ws, byte[] bytes) throws IOException {
        String sha = Sha256.hex(Sha256.digest(bytes));
        Path target = ws.artifacts().resolve(sha);
        if (!Files.exists(target)) {
            Files2.writeAtomically(target, bytes);
        }
        return PREFIX + sha;
    }

    /** Moves a file into the store (for large files written elsewhere first). */
    public static String adopt(Workspace ws, Path file) throws IOException {
        String sha = Sha256.hex(digest(file));
        Path target = ws.artifacts().resolve(sha);
        if (Files.exists(target)) {
            Files.delete(file);
        } else {
            Files.move(file, target);
        }
        return PREFIX + sha;
    }

    static byte[] digest(Path file) throws IOException {
        java.security.MessageDigest md = Sha256.newDigest();
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }
}

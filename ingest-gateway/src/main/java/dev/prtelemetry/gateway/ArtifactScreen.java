package dev.prtelemetry.gateway;

import dev.prtelemetry.schemas.redaction.Redactor;
import dev.prtelemetry.schemas.validation.Violation;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Artifacts go to S3 from here, not through the assembly's redaction: a text artifact (full
 * command output, a patch) is checked with the same rule set before it is stored, and one that
 * holds a secret is refused (422, with rule, line and columns — never the secret); nothing is
 * stored. It is named by its hash and cited by hashed events, so it cannot be rewritten here:
 * the client redacts and uploads again (prt redacts before uploading, so it never meets this).
 * Binary artifacts (git bundles) are not text and pass.
 * Switch off with {@code PRT_ARTIFACT_SCREEN=off}.
 */
@Singleton
public class ArtifactScreen {
    private final Redactor redactor;
    private final boolean on;

    /**
     * The secret rules only: the optional personal-data rules (e-mail, IP) are a deployment's
     * choice for events, headers and dead letters, which the assembly rewrites; refusing artifacts
     * for them would stop every recorder not configured the same way.
     */
    public ArtifactScreen(@Value("${prt.privacy.redaction-key:prt-redaction-fingerprint-v1}") String key,
                          @Value("${prt.privacy.artifact-screen:on}") String mode) {
        this.redactor = Redactor.defaults(key.getBytes(StandardCharsets.UTF_8));
        if (!mode.equals("on") && !mode.equals("off")) {
            throw new IllegalStateException("PRT_ARTIFACT_SCREEN is on or off, not '" + mode + "'");
        }
        this.on = mode.equals("on");
    }

    /** Refuses a text artifact that holds a secret. */
    public void check(byte[] bytes) {
        String text = on ? text(bytes) : null;
        if (text == null) {
            return;
        }
        List<Redactor.Finding> found = redactor.find(text);
        if (found.isEmpty()) {
            return;
        }
        List<Violation> where = new ArrayList<>();
        for (Redactor.Finding f : found.subList(0, Math.min(found.size(), 50))) {
            int line = 1 + (int) text.substring(0, f.start()).chars().filter(c -> c == '\n').count();
            int lineStart = text.lastIndexOf('\n', f.start() - 1) + 1;
            where.add(new Violation("", f.rule(), "line " + line + ", columns " + (f.start() - lineStart + 1) + "–"
                    + (f.end() - lineStart) + ": a secret of rule " + f.rule()));
        }
        throw new Problem(422, "artifact-contains-secret", "The artifact holds a secret",
                found.size() + " secret(s) in this artifact (" + found.stream().map(Redactor.Finding::rule).distinct().toList()
                        + "); redact it (prt redact) and upload the redacted bytes under their own hash; nothing was stored",
                where, null);
    }

    /** The bytes as text, or null when they are not UTF-8 text (a NUL byte, or malformed UTF-8). */
    static String text(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

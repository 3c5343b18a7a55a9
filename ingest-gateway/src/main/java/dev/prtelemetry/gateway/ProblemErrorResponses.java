package dev.prtelemetry.gateway;

import io.micronaut.context.annotation.Primary;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error the HTTP layer answers by itself — a body it could not decode (a
 * {@code Content-Encoding: gzip} body that is not gzip), a route that does not exist, a method not
 * allowed, a request too large for the server — as {@code application/problem+json}, like the
 * gateway's own answers. A failure in decoding the request is the client's (400), not the
 * server's; any other 500 says nothing of the gateway's insides, only a reference to its log.
 */
@Primary
@Singleton
public class ProblemErrorResponses implements ErrorResponseProcessor<String> {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemErrorResponses.class);

    @Override
    public MutableHttpResponse<String> processResponse(ErrorContext context, MutableHttpResponse<?> base) {
        Throwable cause = context.getRootCause().orElse(null);
        int status = base.getStatus().getCode();
        String instance = context.getRequest().getPath();
        Problem problem;
        if (status >= 500 && isDecodingFailure(cause)) {
            problem = new Problem(400, "undecodable-body", "The body could not be decoded",
                    "the request body could not be decoded as its headers say (" + describe(cause)
                            + "); send it as declared, e.g. no Content-Encoding for a plain body; nothing was stored");
        } else if (status >= 500) {
            String ref = UUID.randomUUID().toString();
            LOG.error("internal error {} on {} {}", ref, context.getRequest().getMethod(), instance, cause);
            problem = new Problem(500, "internal", "Internal error", "the gateway failed to handle this request (reference " + ref
                    + " in its log); whether anything was stored is unknown: retry with the same Idempotency-Key");
        } else {
            String detail = context.getErrors().stream().map(e -> e.getMessage()).filter(m -> m != null && !m.isBlank())
                    .findFirst().orElse(base.getStatus().getReason());
            problem = new Problem(status, slug(status), base.getStatus().getReason(), detail);
        }
        @SuppressWarnings("unchecked")
        MutableHttpResponse<String> response = (MutableHttpResponse<String>) base;
        return response.status(HttpStatus.valueOf(problem.status())).contentType(ProblemHandler.PROBLEM_JSON)
                .body(problem.toJson(instance));
    }

    static boolean isDecodingFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String name = c.getClass().getName();
            if (name.startsWith("io.netty.handler.codec.") && (name.contains("Decompression") || name.contains("DecoderException")
                    || name.contains("Compression"))) {
                return true;
            }
            if (c instanceof java.util.zip.ZipException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable t) {
        String m = t == null ? null : t.getMessage();
        return m == null ? (t == null ? "unknown" : t.getClass().getSimpleName()) : m.length() > 200 ? m.substring(0, 200) : m;
    }

    static String slug(int status) {
        return switch (status) {
            case 400 -> "bad-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "too-large";
            case 415 -> "unsupported-media-type";
            default -> "http-" + status;
        };
    }
}

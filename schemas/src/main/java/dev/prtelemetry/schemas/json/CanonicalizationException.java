package dev.prtelemetry.schemas.json;

/**
 * Input that RFC 8785 cannot represent: NaN or infinite numbers, numbers outside the
 * IEEE-754 double range, duplicate object keys, lone UTF-16 surrogates, or text that is
 * not JSON at all. The message names where in the document the problem is.
 */
public class CanonicalizationException extends RuntimeException {
    public CanonicalizationException(String message) {
        super(message);
    }

    public CanonicalizationException(String message, Throwable cause) {
        super(message, cause);
    }
}

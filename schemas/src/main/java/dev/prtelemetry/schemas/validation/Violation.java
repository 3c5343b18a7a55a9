package dev.prtelemetry.schemas.validation;

/**
 * One thing wrong with a document: where (an RFC 6901 JSON Pointer into the instance,
 * {@code ""} for the whole document), what rule it breaks (a JSON Schema keyword, or
 * {@code refs} for the cross-event citation rule), and a plain sentence.
 */
public record Violation(String pointer, String keyword, String message) {
    @Override
    public String toString() {
        return (pointer.isEmpty() ? "(document)" : pointer) + ": " + message;
    }
}

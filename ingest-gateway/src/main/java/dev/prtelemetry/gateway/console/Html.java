package dev.prtelemetry.gateway.console;

/**
 * A page being written: markup is added as constant strings, and every value that came from
 * data goes through {@link #text} or {@link #attr}, which escape it — the only way data reaches
 * the page, so a diff, a note or a test message can never become markup.
 */
final class Html {
    private final StringBuilder out = new StringBuilder(8192);

    /** Markup written by this code (never data). */
    Html raw(String markup) {
        out.append(markup);
        return this;
    }

    /** Data as text. */
    Html text(Object value) {
        out.append(escape(value == null ? "" : value.toString()));
        return this;
    }

    /** {@code name="value"} with the value escaped, preceded by a space. */
    Html attr(String name, Object value) {
        out.append(' ').append(name).append("=\"").append(escape(value == null ? "" : value.toString())).append('"');
        return this;
    }

    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (r != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (r != null) {
                    b.append(r);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /** A query-string value. */
    static String url(String value) {
        return java.net.URLEncoder.encode(value == null ? "" : value, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}

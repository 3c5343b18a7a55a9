package dev.prtelemetry.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpRequest;
import org.junit.jupiter.api.Test;

/** Which sign-in posts count as coming from the console's own pages. */
class ConsoleSessionsTest {
    static MutableHttpRequest<String> post(String origin, String site) {
        MutableHttpRequest<String> r = HttpRequest.POST("/console/sign-in", "").header("Host", "127.0.0.1:8000");
        if (origin != null) {
            r.header("Origin", origin);
        }
        if (site != null) {
            r.header("Sec-Fetch-Site", site);
        }
        return r;
    }

    @Test
    void acceptsPostsFromTheConsolesOwnOrigin() {
        assertThat(ConsoleSessions.sameOrigin(post("http://127.0.0.1:8000", "same-origin"))).isTrue();
        assertThat(ConsoleSessions.sameOrigin(post("http://127.0.0.1:8000", null))).isTrue();
        assertThat(ConsoleSessions.sameOrigin(post(null, null))).isTrue(); // curl, scripts: not a browser's cross-site form
        assertThat(ConsoleSessions.sameOrigin(post(null, "same-origin"))).isTrue();
        assertThat(ConsoleSessions.sameOrigin(post("null", "same-origin"))).isTrue();
    }

    @Test
    void refusesCrossSitePosts() {
        assertThat(ConsoleSessions.sameOrigin(post("https://evil.example", null))).isFalse();
        assertThat(ConsoleSessions.sameOrigin(post("http://127.0.0.1:8000", "cross-site"))).isFalse();
        assertThat(ConsoleSessions.sameOrigin(post(null, "same-site"))).isFalse();
        assertThat(ConsoleSessions.sameOrigin(post("null", null))).isFalse();
        assertThat(ConsoleSessions.sameOrigin(post("http://127.0.0.1:8000.evil.example", null))).isFalse();
    }
}

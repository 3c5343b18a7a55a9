package dev.prtelemetry.gateway.console;

import dev.prtelemetry.gateway.Problem;
import dev.prtelemetry.gateway.UploadTokens;
import dev.prtelemetry.schemas.integrity.Sha256;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;

/**
 * The console's sign-in: a researcher or participant token, given once in a form, becomes a
 * session cookie (a signed token of its own, HttpOnly, SameSite=Strict, path /console, 8 hours),
 * so no API token ever lives in the page. The gateway keeps no session state: the cookie is
 * checked like any token, so any gateway instance accepts it. Forms that change something carry
 * a CSRF token derived from the cookie, which a page on another site cannot read.
 */
@Singleton
public class ConsoleSessions {
    static final String COOKIE = "prt_console";
    static final Duration TTL = Duration.ofHours(8);

    private final UploadTokens tokens;

    public ConsoleSessions(UploadTokens tokens) {
        this.tokens = tokens;
    }

    /** The viewer a token names: the researcher token or a participant token; 401 otherwise. */
    Viewer signIn(String token) {
        if (token == null || token.isBlank()) {
            throw Problem.unauthorized("sign in with a researcher token or a participant token");
        }
        String t = token.strip();
        if (tokens.isResearcher(t)) {
            return Viewer.RESEARCHER;
        }
        String participant = tokens.participantOf(t);
        if (participant == null) {
            throw Problem.unauthorized("that is neither the researcher token nor a participant token");
        }
        return new Viewer(participant);
    }

    Cookie cookieFor(Viewer viewer, boolean secure) {
        return Cookie.of(COOKIE, tokens.issueConsoleSession(viewer.subject(), TTL).token())
                .path("/console").httpOnly(true).sameSite(SameSite.Strict).secure(secure).maxAge(TTL);
    }

    static Cookie cleared(boolean secure) {
        return Cookie.of(COOKIE, "").path("/console").httpOnly(true).sameSite(SameSite.Strict).secure(secure).maxAge(0);
    }

    /** The signed-in viewer, or empty when there is no valid session cookie. */
    Optional<Viewer> viewer(HttpRequest<?> request) {
        return request.getCookies().findCookie(COOKIE).map(Cookie::getValue).filter(v -> !v.isEmpty()).flatMap(v -> {
            try {
                return Optional.ofNullable(Viewer.ofSubject(tokens.consoleSubject(v)));
            } catch (Problem expiredOrForged) {
                return Optional.empty();
            }
        });
    }

    /** The CSRF token of the request's session: a digest of the cookie (which only this browser's pages can know). */
    static String csrf(HttpRequest<?> request) {
        return request.getCookies().findCookie(COOKIE).map(c -> Sha256.hex(Sha256.digest(
                ("csrf:" + c.getValue()).getBytes(StandardCharsets.UTF_8))).substring(0, 32)).orElse("");
    }

    static boolean csrfMatches(HttpRequest<?> request, String given) {
        String want = csrf(request);
        return !want.isEmpty() && given != null
                && MessageDigest.isEqual(want.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    /** A form post from this site: an Origin (browsers send it on POST) naming this host, or none at all. */
    static boolean sameOrigin(HttpRequest<?> request) {
        String site = request.getHeaders().get("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return false;
        }
        String origin = request.getHeaders().get("Origin");
        if (origin == null) {
            return true; // browsers send Origin with every form POST: no Origin, no cross-site form
        }
        if (origin.equals("null")) {
            return site != null; // an opaque origin counts only where Sec-Fetch-Site already said same-origin
        }
        String host = request.getHeaders().get("Host");
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    static boolean secure(HttpRequest<?> request) {
        return request.isSecure() || "https".equalsIgnoreCase(request.getHeaders().get("X-Forwarded-Proto"));
    }
}

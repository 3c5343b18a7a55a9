package dev.prtelemetry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class UploadTokensTest {
    private static GatewayConfig config(String secret, double rate, double burst) {
        return new GatewayConfig("k:9092", "http://s3", "us-east-1", "a", "s", "prt", "researcher-token-0123456789",
                secret.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(15), 1000, 1000, 1000, rate, burst,
                Duration.ofSeconds(5), Duration.ofDays(90));
    }

    private static final String SECRET = "0123456789abcdef0123456789abcdef-secret";
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    @Test
    void aTokenNamesItsTraceAndExpires() {
        UploadTokens tokens = new UploadTokens(config(SECRET, 1, 1), Clock.fixed(NOW, ZoneOffset.UTC));
        UploadTokens.Issued issued = tokens.issue("trace-1");
        assertThat(issued.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(15)));
        assertThat(tokens.verify(issued.token(), false)).isEqualTo("trace-1");

        UploadTokens later = new UploadTokens(config(SECRET, 1, 1), Clock.fixed(NOW.plus(Duration.ofMinutes(16)), ZoneOffset.UTC));
        assertThatThrownBy(() -> later.verify(issued.token(), false)).isInstanceOf(Problem.class).hasMessageContaining("expired");
        assertThat(later.verify(issued.token(), true)).isEqualTo("trace-1"); // the refresh path
    }

    @Test
    void refusesTokensSignedWithAnotherSecretOrTampered() {
        UploadTokens ours = new UploadTokens(config(SECRET, 1, 1), Clock.fixed(NOW, ZoneOffset.UTC));
        UploadTokens theirs = new UploadTokens(config(SECRET.replace('0', 'x'), 1, 1), Clock.fixed(NOW, ZoneOffset.UTC));
        String forged = theirs.issue("trace-1").token();
        assertThatThrownBy(() -> ours.verify(forged, false)).hasMessageContaining("signature");
        String token = ours.issue("trace-1").token();
        String[] parts = token.split("\\.");
        String otherPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace("trace-1", "trace-2").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ours.verify(parts[0] + "." + otherPayload + "." + parts[2], false))
                .hasMessageContaining("signature");
        assertThatThrownBy(() -> ours.verify("not-a-jwt", false)).hasMessageContaining("not a JWT");
    }

    @Test
    void participantTokensNameTheirParticipantAndAreNoUploadTokens() {
        UploadTokens tokens = new UploadTokens(config(SECRET, 1, 1), Clock.fixed(NOW, ZoneOffset.UTC));
        UploadTokens.Issued participant = tokens.issueParticipant("alice");
        assertThat(participant.expiresAt()).isEqualTo(NOW.plus(Duration.ofDays(90)));
        assertThat(tokens.participantOf(participant.token())).isEqualTo("alice");
        // a participant token cannot upload into a trace named "alice", nor an upload token create traces
        assertThatThrownBy(() -> tokens.verify(participant.token(), false)).hasMessageContaining("not a valid upload token");
        assertThat(tokens.participantOf(tokens.issue("trace-1").token())).isNull();
        assertThat(tokens.participantOf("researcher-token-0123456789")).isNull();
        UploadTokens theirs = new UploadTokens(config(SECRET.replace('0', 'x'), 1, 1), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThatThrownBy(() -> tokens.participantOf(theirs.issueParticipant("alice").token()))
                .hasMessageContaining("signature");
        UploadTokens muchLater = new UploadTokens(config(SECRET, 1, 1), Clock.fixed(NOW.plus(Duration.ofDays(91)), ZoneOffset.UTC));
        assertThatThrownBy(() -> muchLater.participantOf(participant.token())).hasMessageContaining("expired");
    }

    @Test
    void researcherTokenIsComparedExactly() {
        UploadTokens tokens = new UploadTokens(config(SECRET, 1, 1));
        assertThat(tokens.isResearcher("researcher-token-0123456789")).isTrue();
        assertThat(tokens.isResearcher("researcher-token-012345678")).isFalse();
        assertThat(tokens.isResearcher(null)).isFalse();
    }

    @Test
    void theRateLimiterAllowsTheBurstThenRefusesWithRetryAfter() {
        RateLimiter limiter = new RateLimiter(config(SECRET, 1, 3), 12, 60);
        limiter.acquire("a");
        limiter.acquire("a");
        limiter.acquire("a");
        assertThatThrownBy(() -> limiter.acquire("a")).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(429);
            assertThat(p.retryAfterSeconds()).isPositive();
        });
        limiter.acquire("b"); // buckets are per credential
    }
}

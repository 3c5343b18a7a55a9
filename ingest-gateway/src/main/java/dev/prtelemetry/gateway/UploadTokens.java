package dev.prtelemetry.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.inject.Singleton;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Participant tokens ({@code aud=participant}, {@code sub=<participant id>}, long-lived,
 * issued by a researcher: they create only that participant's traces) and per-trace upload tokens: JWTs signed HS256 with the configured secret, {@code aud=upload},
 * {@code sub=<trace id>}, short-lived. Only HS256 is accepted (an allow-list, so {@code none}
 * or an algorithm swap is refused), and a token names exactly one trace.
 */
@Singleton
public class UploadTokens {
    public static final String AUDIENCE = "upload";
    public static final String PARTICIPANT_AUDIENCE = "participant";
    /** The web console's session cookie: subject {@code researcher} or {@code participant:<id>}. */
    public static final String CONSOLE_AUDIENCE = "console";
    private static final String ISSUER = "prt-gateway";
    private static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.HS256);

    private final GatewayConfig config;
    private final Clock clock;

    public UploadTokens(GatewayConfig config) {
        this(config, Clock.systemUTC());
    }

    UploadTokens(GatewayConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public record Issued(String token, Instant expiresAt) {
    }

    public Issued issue(String traceId) {
        return sign(AUDIENCE, traceId, config.uploadTokenTtl());
    }

    /** A token with which one participant's recorder creates that participant's traces. */
    public Issued issueParticipant(String participantId) {
        return sign(PARTICIPANT_AUDIENCE, participantId, config.participantTokenTtl());
    }

    /**
     * The participant a participant token names, or null when the token is not one (it may be
     * a researcher or upload token); a participant token that fails a check is a {@link Problem}.
     */
    public String participantOf(String token) {
        if (token == null || token.chars().filter(c -> c == '.').count() != 2) {
            return null;
        }
        try {
            List<String> audience = SignedJWT.parse(token).getJWTClaimsSet().getAudience();
            if (audience == null || !audience.contains(PARTICIPANT_AUDIENCE)) {
                return null;
            }
        } catch (ParseException e) {
            return null;
        }
        return verifyFor(token, PARTICIPANT_AUDIENCE, false, "participant token");
    }

    private Issued sign(String audienceName, String subject, java.time.Duration ttl) {
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(subject)
                .audience(audienceName)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now.minusSeconds(5)))
                .expirationTime(Date.from(expires))
                .jwtID(UUID.randomUUID().toString())
                .build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(config.uploadTokenSecret()));
            return new Issued(jwt.serialize(), expires);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign upload tokens: " + e.getMessage(), e);
        }
    }

    /** A console session for one viewer (the cookie's value). */
    public Issued issueConsoleSession(String subject, java.time.Duration ttl) {
        return sign(CONSOLE_AUDIENCE, subject, ttl);
    }

    /** The subject of a console session cookie, after every check a token gets; a {@link Problem} (401) otherwise. */
    public String consoleSubject(String cookie) {
        return verifyFor(cookie, CONSOLE_AUDIENCE, false, "console session");
    }

    /** The token's trace id, after checking signature, algorithm, audience and time; a {@link Problem} otherwise. */
    public String verify(String token, boolean allowExpired) {
        return verifyFor(token, AUDIENCE, allowExpired, "upload token");
    }

    private String verifyFor(String token, String audienceName, boolean allowExpired, String what) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw Problem.unauthorized("the " + what + " is not a JWT");
        }
        if (!ALLOWED.contains(jwt.getHeader().getAlgorithm())) {
            throw Problem.unauthorized(what + "s are signed HS256; " + jwt.getHeader().getAlgorithm() + " is refused");
        }
        try {
            if (!jwt.verify(new MACVerifier(config.uploadTokenSecret()))) {
                throw Problem.unauthorized("the " + what + "'s signature does not verify");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            List<String> audience = claims.getAudience();
            if (audience == null || !audience.contains(audienceName) || !ISSUER.equals(claims.getIssuer())) {
                throw Problem.unauthorized("the token is not a valid " + what);
            }
            Instant now = clock.instant();
            if (claims.getExpirationTime() == null
                    || (!allowExpired && !claims.getExpirationTime().toInstant().isAfter(now))) {
                throw Problem.unauthorized(AUDIENCE.equals(audienceName)
                        ? "the upload token has expired; refresh it with POST /v1/traces/{id}/token"
                        : "the " + what + " has expired; ask your researcher for a new one");
            }
            if (claims.getNotBeforeTime() != null && claims.getNotBeforeTime().toInstant().isAfter(now)) {
                throw Problem.unauthorized("the " + what + " is not valid yet");
            }
            if (claims.getSubject() == null) {
                throw Problem.unauthorized("the " + what + " names no subject");
            }
            return claims.getSubject();
        } catch (JOSEException | ParseException e) {
            throw Problem.unauthorized("the " + what + " cannot be verified: " + e.getMessage());
        }
    }

    /** Constant-time comparison for the researcher token. */
    public boolean isResearcher(String token) {
        return token != null && MessageDigest.isEqual(token.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                config.researcherToken().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}

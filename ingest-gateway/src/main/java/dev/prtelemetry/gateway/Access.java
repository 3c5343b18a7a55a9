package dev.prtelemetry.gateway;

import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * Who is calling and what they may do: every endpoint's credential check, its rate limit and the
 * erasure list, in one place (the controllers only say which check they need). A failed check is
 * a {@link Problem}: 401 without a token, 403 with the wrong one, 404 for a malformed trace id,
 * 410 for an erased trace, 429 past a rate limit.
 */
@Singleton
public class Access {
    private static final Pattern TRACE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern PARTICIPANT_ID = Pattern.compile("[A-Za-z0-9._@:-]{1,128}");

    private final UploadTokens tokens;
    private final RateLimiter rateLimiter;
    private final Erasures erasures;

    public Access(UploadTokens tokens, RateLimiter rateLimiter, Erasures erasures) {
        this.tokens = tokens;
        this.rateLimiter = rateLimiter;
        this.erasures = erasures;
    }

    /** Who creates a trace: a researcher ({@code participant} null) or one participant. */
    public record Creator(String participant) {
        public boolean isResearcher() {
            return participant == null;
        }
    }

    /** A researcher token or a participant token; rate-limited per token (researchers share one budget). */
    public Creator creator(HttpRequest<?> request) {
        String token = RequestChecks.bearer(request);
        if (tokens.isResearcher(token)) {
            rateLimiter.acquire("researcher");
            return new Creator(null);
        }
        String participant = tokens.participantOf(token);
        if (participant == null) {
            throw Problem.unauthorized("creating a trace takes a researcher token or a participant token");
        }
        rateLimiter.acquire(token);
        return new Creator(participant);
    }

    /** The researcher token, or 403 saying what it was needed for ("erasing a participant takes a researcher token"). */
    public void researcher(HttpRequest<?> request, String doing) {
        String token = RequestChecks.bearer(request);
        if (!tokens.isResearcher(token)) {
            throw Problem.forbidden(doing + " takes a researcher token");
        }
        rateLimiter.acquire("researcher");
    }

    /** Uploads to a trace: its live upload token; the trace's own rate (minting more tokens buys no more rate). */
    public void uploader(HttpRequest<?> request, String traceId) {
        checkTraceId(traceId);
        String token = RequestChecks.bearer(request);
        if (!tokens.verify(token, false).equals(traceId)) {
            throw Problem.forbidden("this upload token belongs to another trace");
        }
        rateLimiter.acquire(token);
        rateLimiter.acquire("trace:" + traceId);
        refuseErased(traceId, false);
    }

    /** Reads of a trace: a researcher token, or the trace's own live upload token. */
    public void reader(HttpRequest<?> request, String traceId) {
        checkTraceId(traceId);
        String token = RequestChecks.bearer(request);
        if (!tokens.isResearcher(token) && !tokens.verify(token, false).equals(traceId)) {
            throw Problem.forbidden("this upload token belongs to another trace");
        }
        rateLimiter.acquire(token);
        refuseErased(traceId, true);
    }

    /** A new upload token: a researcher, or the holder of the trace's upload token even when it expired (a few per minute). */
    public void refresher(HttpRequest<?> request, String traceId) {
        checkTraceId(traceId);
        String token = RequestChecks.bearer(request);
        if (!tokens.isResearcher(token) && !tokens.verify(token, true).equals(traceId)) {
            throw Problem.forbidden("this upload token belongs to another trace");
        }
        rateLimiter.acquire(token);
        rateLimiter.mint(traceId);
        refuseErased(traceId, true);
    }

    /**
     * 410 for a trace on the erasure list. {@code exact}: one query (creation, token refresh, reads);
     * otherwise the in-memory list of erasures recent enough for an upload token to be alive (every chunk).
     */
    public void refuseErased(String traceId, boolean exact) {
        String reason;
        try {
            reason = exact ? erasures.erasedReason(traceId) : (erasures.isRecentlyErased(traceId) ? "participant-request" : null);
        } catch (SQLException e) {
            throw Problem.database(e);
        }
        if (reason != null) {
            throw Problem.gone("trace " + traceId + (reason.equals("retention")
                    ? " was deleted at the end of its retention period"
                    : " was erased (its participant's data was deleted on request)"));
        }
    }

    public static void checkTraceId(String id) {
        if (!TRACE_ID.matcher(id).matches()) {
            throw Problem.notFound("'" + id + "' is not a trace id");
        }
    }

    public static void checkParticipantId(String id) {
        if (!PARTICIPANT_ID.matcher(id).matches()) {
            throw Problem.badRequest("bad-participant-id", "a participant id is 1–128 of A–Z a–z 0–9 . _ @ : -");
        }
    }
}

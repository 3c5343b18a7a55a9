package dev.prtelemetry.gateway;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.sql.SQLException;
import java.time.Instant;

/** Participants and their data: participant tokens, erasure, the retention sweep ({@link Erasures}). */
@Controller("/v1")
public class PrivacyController {
    private final Access access;
    private final TraceIntake intake;
    private final Erasures erasures;

    public PrivacyController(Access access, TraceIntake intake, Erasures erasures) {
        this.access = access;
        this.intake = intake;
        this.erasures = erasures;
    }

    /** A researcher issues a participant's own token: it creates that participant's traces and nothing else. */
    @Post(uri = "/participants/{participantId}/tokens", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<Responses.ParticipantToken> participantToken(HttpRequest<?> request, @PathVariable String participantId) {
        access.researcher(request, "issuing participant tokens");
        return HttpResponse.created(intake.participantToken(participantId));
    }

    /**
     * Erases every trace of a participant everywhere this gateway's stores hold them (rows,
     * documents, unshared artifacts), records who asked and what went, and puts the trace ids on
     * the erasure list: they answer 410 from then on and are never ingested again. The answer is
     * the erasure's audit record.
     */
    @Delete(uri = "/participants/{participantId}", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public String eraseParticipant(HttpRequest<?> request, @PathVariable String participantId) {
        access.researcher(request, "erasing a participant");
        Access.checkParticipantId(participantId);
        try {
            return erasures.erase(participantId, "researcher token from " + source(request)).toString();
        } catch (SQLException e) {
            throw Problem.database(e);
        }
    }

    /**
     * Runs the retention sweep now (it also runs every {@code prt.privacy.sweep-interval}): every trace
     * past its {@code retain_until} is deleted everywhere, as an erasure with reason {@code retention}.
     */
    @Post(uri = "/retention:sweep", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public String sweep(HttpRequest<?> request) {
        access.researcher(request, "running the retention sweep");
        try {
            var result = erasures.sweepExpired(Instant.now(), "retention sweep requested by researcher token from " + source(request));
            if (result == null) {
                throw Problem.conflict("another retention sweep is running; try again when it ends");
            }
            return result.toString();
        } catch (SQLException e) {
            throw Problem.database(e);
        }
    }

    private static String source(HttpRequest<?> request) {
        return request.getRemoteAddress().getAddress().getHostAddress();
    }
}

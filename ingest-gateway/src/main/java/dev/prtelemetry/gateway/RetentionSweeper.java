package dev.prtelemetry.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Instant;

/**
 * Retention enforced by the system, not a runbook: every {@code prt.privacy.sweep-interval}
 * (default 10 minutes) the traces past their {@code retain_until} are deleted from PostgreSQL and
 * S3, listed as erased (reason {@code retention}) and tombstoned on the compacted topic. Replicas
 * take turns through an advisory lock; a failed sweep is retried at the next interval. Idempotency
 * keys older than {@link #IDEMPOTENCY_DAYS} days go too.
 */
@Singleton
public class RetentionSweeper {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RetentionSweeper.class);
    /** Idempotency keys are kept this many days (a client retries within minutes; the recorder within its session). */
    static final int IDEMPOTENCY_DAYS = 7;
    private final Erasures erasures;
    private final IdempotencyKeys idempotency;

    public RetentionSweeper(Erasures erasures, IdempotencyKeys idempotency) {
        this.erasures = erasures;
        this.idempotency = idempotency;
    }

    @Scheduled(fixedDelay = "${prt.privacy.sweep-interval:10m}", initialDelay = "${prt.privacy.sweep-initial-delay:1m}")
    void sweep() {
        try {
            ObjectNode result = erasures.sweepExpired(Instant.now(), "retention sweep (scheduled)");
            if (result != null && result.path("traces_erased").asInt() > 0) {
                LOG.info("retention sweep: {}", result);
            }
            idempotency.sweep(IDEMPOTENCY_DAYS);
        } catch (Exception e) {
            LOG.warn("retention sweep failed; it runs again at the next interval: {}", e.toString());
        }
    }
}

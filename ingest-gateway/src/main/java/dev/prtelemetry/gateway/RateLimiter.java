package dev.prtelemetry.gateway;

import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets: per credential ({@code ratePerSecond} requests on average, bursts up to
 * {@code burst}; reads and writes alike), per trace (the same rate, whatever token is used: minting
 * more tokens does not buy more rate), for minting upload tokens per trace
 * ({@code prt.limits.token-mints-per-minute}, burst as many), and for failed authentications per
 * source address ({@code prt.limits.unauthorized-per-minute}, burst as many: a 401 beyond it is a
 * 429). In memory, per gateway instance (a client pinned to one instance sees its limit; several
 * instances multiply it — acceptable for abuse protection, not for billing).
 */
@Singleton
public class RateLimiter {
    private final double rate;
    private final double burst;
    private final double mintsPerMinute;
    private final double unauthorizedPerMinute;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(GatewayConfig config,
                       @io.micronaut.context.annotation.Value("${prt.limits.token-mints-per-minute:12}") double mintsPerMinute,
                       @io.micronaut.context.annotation.Value("${prt.limits.unauthorized-per-minute:60}") double unauthorizedPerMinute) {
        this.rate = config.ratePerSecond();
        this.burst = config.rateBurst();
        this.mintsPerMinute = mintsPerMinute;
        this.unauthorizedPerMinute = unauthorizedPerMinute;
    }

    /** Takes one request from {@code key}'s bucket (a credential, or "trace:ID"), or throws 429 with the seconds to wait. */
    public void acquire(String key) {
        acquire(key, rate, burst);
    }

    /** One more upload token minted for the trace, or 429. */
    public void mint(String traceId) {
        acquire("mint:" + traceId, mintsPerMinute / 60.0, mintsPerMinute);
    }

    /** Whether a failed authentication from {@code source} is still answered 401 (false: answer 429). */
    public boolean unauthorized(String source) {
        try {
            acquire("unauthorized:" + source, unauthorizedPerMinute / 60.0, unauthorizedPerMinute);
            return true;
        } catch (Problem p) {
            return false;
        }
    }

    /** Seconds until {@code source} may fail authentication again. */
    public long unauthorizedRetryAfter() {
        return Math.max(1, (long) Math.ceil(60.0 / unauthorizedPerMinute));
    }

    void acquire(String key, double rate, double burst) {
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, System.nanoTime()));
        synchronized (b) {
            long now = System.nanoTime();
            b.tokens = Math.min(burst, b.tokens + (now - b.lastNanos) / 1e9 * rate);
            b.lastNanos = now;
            if (b.tokens < 1) {
                throw Problem.tooManyRequests(Math.max(1, (long) Math.ceil((1 - b.tokens) / rate)));
            }
            b.tokens -= 1;
        }
        if (buckets.size() > 100_000) {
            buckets.clear(); // tokens are short-lived; forgetting old buckets only ever allows more
        }
    }

    private static final class Bucket {
        double tokens;
        long lastNanos;

        Bucket(double tokens, long lastNanos) {
            this.tokens = tokens;
            this.lastNanos = lastNanos;
        }
    }
}

package dev.prtelemetry.gateway;

import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per credential: {@code ratePerSecond} requests on average, bursts up to
 * {@code burst}. In memory, per gateway instance (a client pinned to one instance sees its
 * limit; several instances multiply it — acceptable for abuse protection, not for billing).
 */
@Singleton
public class RateLimiter {
    private final double rate;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(GatewayConfig config) {
        this.rate = config.ratePerSecond();
        this.burst = config.rateBurst();
    }

    /** Takes one request from {@code key}'s bucket, or throws 429 with the seconds to wait. */
    public void acquire(String key) {
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

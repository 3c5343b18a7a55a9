package dev.prtelemetry.gateway;

import dev.prtelemetry.schemas.stream.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import dev.prtelemetry.schemas.stream.TraceRecords;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes trace records to {@code prt.trace-records}, keyed by trace id, durably: acks=all,
 * idempotent producer. The future completes only once the broker has the record, which is
 * when the gateway answers 2xx; a failure or a timeout completes it exceptionally (→ 503).
 */
@Singleton
public class TraceRecordsProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;

    public TraceRecordsProducer(GatewayConfig config) {
        int timeout = (int) config.kafkaAckTimeout().toMillis();
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (long) timeout,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(timeout, 3_000),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Sends one record; {@code kind}, {@code chunkSeq} and {@code digest} also ride as headers
     * ({@code prt-kind}, {@code prt-chunk-seq}, {@code prt-digest}) so the assembly routes a
     * record without parsing its body.
     */
    public CompletableFuture<Void> send(String traceId, byte[] value, String kind, Long chunkSeq, String digest) {
        return send(traceId, value, kind, chunkSeq, digest, null);
    }

    /** As above, with the client's Idempotency-Key kept as the {@code prt-idempotency-key} header, for tracing retries. */
    public CompletableFuture<Void> send(String traceId, byte[] value, String kind, Long chunkSeq, String digest,
                                        String idempotencyKey) {
        return send(traceId, value, kind, chunkSeq, digest, idempotencyKey, null);
    }

    /**
     * As above, with the record's timestamp set to the gateway's receive time (the {@code received_at}
     * in its value, in ms): the time the metrics windows count the record at.
     */
    public CompletableFuture<Void> send(String traceId, byte[] value, String kind, Long chunkSeq, String digest,
                                        String idempotencyKey, Long receivedAtMs) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Topics.TRACE_RECORDS, null, receivedAtMs,
                traceId.getBytes(StandardCharsets.UTF_8), value);
        record.headers().add(TraceRecords.KIND_HEADER, kind.getBytes(StandardCharsets.UTF_8));
        if (chunkSeq != null) {
            record.headers().add(TraceRecords.CHUNK_SEQ_HEADER, chunkSeq.toString().getBytes(StandardCharsets.UTF_8));
        }
        if (digest != null) {
            record.headers().add(TraceRecords.DIGEST_HEADER, digest.getBytes(StandardCharsets.UTF_8));
        }
        if (idempotencyKey != null) {
            record.headers().add(TraceRecords.IDEMPOTENCY_KEY_HEADER, idempotencyKey.getBytes(StandardCharsets.UTF_8));
        }
        try {
            producer.send(record,
                    (metadata, error) -> {
                        if (error != null) {
                            done.completeExceptionally(error);
                        } else {
                            done.complete(null);
                        }
                    });
        } catch (RuntimeException e) {
            done.completeExceptionally(e); // e.g. metadata not available within max.block.ms
        }
        return done;
    }

    /** A tombstone (null value) for a trace on a compacted topic: compaction then removes the trace's records there. */
    public CompletableFuture<Void> tombstone(String topic, String traceId) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, traceId.getBytes(StandardCharsets.UTF_8), null), (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(null);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @PreDestroy
    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}

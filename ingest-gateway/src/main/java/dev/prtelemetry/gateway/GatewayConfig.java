package dev.prtelemetry.gateway;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the gateway talks to, replaceable by configuration ({@code application.yml},
 * overridable by {@code PRT_*} environment variables). Checked at start: a missing secret or
 * address stops the gateway with a message saying which.
 */
public record GatewayConfig(
        String kafkaBootstrapServers,
        String s3Endpoint,
        String s3Region,
        String s3AccessKey,
        String s3SecretKey,
        String s3Bucket,
        String researcherToken,
        byte[] uploadTokenSecret,
        Duration uploadTokenTtl,
        long maxChunkBytes,
        long maxArtifactBytes,
        long maxRequestBytes,
        double ratePerSecond,
        double rateBurst,
        Duration kafkaAckTimeout,
        Duration participantTokenTtl) {

    @Factory
    static class FromProperties {
        @Singleton
        GatewayConfig gatewayConfig(
                @Value("${prt.kafka.bootstrap-servers}") String kafka,
                @Value("${prt.s3.endpoint}") String s3Endpoint,
                @Value("${prt.s3.region:us-east-1}") String s3Region,
                @Value("${prt.s3.access-key}") String s3AccessKey,
                @Value("${prt.s3.secret-key}") String s3SecretKey,
                @Value("${prt.s3.bucket:prt}") String s3Bucket,
                @Value("${prt.auth.researcher-token:}") String researcherToken,
                @Value("${prt.auth.researcher-token-file:}") String researcherTokenFile,
                @Value("${prt.auth.upload-token-secret}") String uploadSecret,
                @Value("${prt.auth.upload-token-ttl:15m}") Duration ttl,
                @Value("${prt.limits.max-chunk-bytes:4194304}") long maxChunk,
                @Value("${prt.limits.max-artifact-bytes:33554432}") long maxArtifact,
                @Value("${prt.limits.max-request-bytes:65536}") long maxRequest,
                @Value("${prt.limits.rate-per-second:200}") double rate,
                @Value("${prt.limits.rate-burst:400}") double burst,
                @Value("${prt.kafka.ack-timeout:10s}") Duration ackTimeout,
                @Value("${prt.auth.participant-token-ttl:90d}") Duration participantTtl) throws IOException {
            String token = researcherToken;
            if ((token == null || token.isBlank()) && researcherTokenFile != null && !researcherTokenFile.isBlank()) {
                token = Files.readString(Path.of(researcherTokenFile)).strip();
            }
            if (token == null || token.length() < 16) {
                throw new IllegalStateException("set a researcher token of at least 16 characters: "
                        + "PRT_RESEARCHER_TOKEN or PRT_RESEARCHER_TOKEN_FILE");
            }
            if (uploadSecret == null || uploadSecret.length() < 32) {
                throw new IllegalStateException("PRT_UPLOAD_TOKEN_SECRET must be at least 32 characters (HS256 key)");
            }
            return new GatewayConfig(kafka, s3Endpoint, s3Region, s3AccessKey, s3SecretKey, s3Bucket, token,
                    uploadSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8), ttl, maxChunk, maxArtifact,
                    maxRequest, rate, burst, ackTimeout, participantTtl);
        }
    }
}

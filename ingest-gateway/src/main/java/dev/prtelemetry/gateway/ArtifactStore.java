package dev.prtelemetry.gateway;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.URI;
import dev.prtelemetry.schemas.model.ArtifactRef;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Artifacts by content hash in S3: {@code artifacts/sha256/<hex>} (one copy however many traces cite it). */
@Singleton
public class ArtifactStore implements AutoCloseable {
    private final S3Client s3;
    private final String bucket;

    public ArtifactStore(GatewayConfig config) {
        this.bucket = config.s3Bucket();
        this.s3 = S3Client.builder()
                .endpointOverride(URI.create(config.s3Endpoint()))
                .region(Region.of(config.s3Region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.s3AccessKey(), config.s3SecretKey())))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true)
                        .chunkedEncodingEnabled(false).build())
                .httpClient(UrlConnectionHttpClient.create())
                // S3-compatible stores (S3Proxy, MinIO versions) do not all take the SDK's default
                // flexible checksums with chunked trailers; send them only where S3 requires them
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /**
     * The bytes of a trace document the assembly wrote, by its URI: {@code s3://<bucket>/<key>}
     * in this store's bucket (another bucket, or another scheme, is not served); empty when absent.
     */
    public java.util.Optional<byte[]> readDocument(String uri) {
        String prefix = "s3://" + bucket + "/";
        if (uri == null || !uri.startsWith(prefix)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(s3.getObjectAsBytes(software.amazon.awssdk.services.s3.model.GetObjectRequest.builder()
                    .bucket(bucket).key(uri.substring(prefix.length())).build()).asByteArray());
        } catch (NoSuchKeyException e) {
            return java.util.Optional.empty();
        }
    }

    /** Deletes a trace document of this bucket; false when it is not one (or not there). */
    public String bucket() {
        return bucket;
    }

    public boolean deleteDocument(String uri) {
        String prefix = "s3://" + bucket + "/";
        if (uri == null || !uri.startsWith(prefix)) {
            return false;
        }
        return delete(uri.substring(prefix.length()));
    }

    public boolean deleteArtifact(String sha256) {
        return delete(key(sha256));
    }

    private boolean delete(String key) {
        try {
            s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).build());
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
        s3.deleteObject(software.amazon.awssdk.services.s3.model.DeleteObjectRequest.builder().bucket(bucket).key(key).build());
        return true;
    }

    public static String key(String sha256) {
        return new ArtifactRef(sha256).key();
    }

    public boolean exists(String sha256) {
        try {
            s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(key(sha256)).build());
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    public void put(String sha256, byte[] body, String contentType) {
        s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key(sha256))
                .contentType(contentType == null ? "application/octet-stream" : contentType).build(),
                RequestBody.fromBytes(body));
    }

    @PreDestroy
    @Override
    public void close() {
        s3.close();
    }
}

package dev.prtelemetry.localstack;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/** An S3-compatible store on a local folder (S3Proxy over jclouds' filesystem backend). */
public final class EmbeddedS3 implements AutoCloseable {
    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final String endpoint;

    private EmbeddedS3(S3Proxy proxy, BlobStoreContext context, String endpoint) {
        this.proxy = proxy;
        this.context = context;
        this.endpoint = endpoint;
    }

    public static EmbeddedS3 start(Path dir, int port, String accessKey, String secretKey, String bucket) throws Exception {
        Files.createDirectories(dir);
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
                .credentials("local", "local")
                .overrides(props)
                .build(BlobStoreContext.class);
        BlobStore store = context.getBlobStore();
        if (!store.containerExists(bucket)) {
            store.createContainerInLocation(null, bucket);
        }
        String endpoint = "http://127.0.0.1:" + port;
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create(endpoint))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        proxy.start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!proxy.getState().equals("STARTED")) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(20);
        }
        return new EmbeddedS3(proxy, context, endpoint);
    }

    public String endpoint() {
        return endpoint;
    }

    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}

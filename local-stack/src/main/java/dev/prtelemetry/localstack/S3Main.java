package dev.prtelemetry.localstack;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The S3 store as a process of its own (the cluster's): {@code S3Main PORT DIR BUCKET}, the
 * keys in {@code PRT_S3_ACCESS_KEY}/{@code PRT_S3_SECRET_KEY}. Runs until it is stopped.
 */
public final class S3Main {
    private S3Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: S3Main PORT DIR BUCKET");
            System.exit(2);
        }
        EmbeddedS3 s3 = EmbeddedS3.start(Path.of(args[1]), Integer.parseInt(args[0]),
                System.getenv().getOrDefault("PRT_S3_ACCESS_KEY", "local-access"),
                System.getenv().getOrDefault("PRT_S3_SECRET_KEY", "local-secret"), args[2]);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                s3.close();
            } catch (Exception e) {
                System.err.println("S3 store: " + e.getMessage());
            }
            stopped.countDown();
        }));
        System.out.println("S3 store serving " + args[1] + " at " + s3.endpoint());
        stopped.await();
    }
}

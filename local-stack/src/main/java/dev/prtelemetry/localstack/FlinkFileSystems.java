package dev.prtelemetry.localstack;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;

/**
 * Makes {@code s3://} paths work in this JVM's Flink: loads {@code flink-s3-fs-presto} from a
 * plugins folder (its own class loader) and points it at the configured endpoint. Must run
 * before the first Flink filesystem is used.
 */
public final class FlinkFileSystems {
    private FlinkFileSystems() {
    }

    /**
     * The S3 client in the presto plugin computes an MD5 of every object it uploads and downloads
     * to check the transfer (a fifth of the embedded stack's CPU in a JFR profile of the ingest
     * bench, with the store computing it again). Every reader of a trace document checks the
     * document's SHA-256 against its claim check instead (end to end, from the assembly's write
     * to the read), so the transport check is turned off. On a cluster the same two properties go
     * into the task managers' JVM options ({@code env.java.opts.taskmanager}).
     */
    public static void disableTransportMd5() {
        System.setProperty("com.amazonaws.services.s3.disablePutObjectMD5Validation", "true");
        System.setProperty("com.amazonaws.services.s3.disableGetObjectMD5Validation", "true");
    }

    public static void initialize(Path pluginsDir, String endpoint, String accessKey, String secretKey) throws Exception {
        if (!Files.isDirectory(pluginsDir.resolve("s3-fs-presto"))) {
            throw new IllegalStateException("no Flink S3 plugin under " + pluginsDir
                    + "/s3-fs-presto (mvn -pl local-stack process-resources puts it there)");
        }
        disableTransportMd5();
        Configuration conf = new Configuration();
        conf.setString("s3.endpoint", endpoint);
        conf.setString("s3.path.style.access", "true");
        conf.setString("s3.access-key", accessKey);
        conf.setString("s3.secret-key", secretKey);
        conf.setString("s3.ssl.enabled", String.valueOf(endpoint.startsWith("https")));
        FileSystem.initialize(conf, new DefaultPluginManager(
                new DirectoryBasedPluginFinder(pluginsDir).findPlugins(),
                CoreOptions.getPluginParentFirstLoaderPatterns(conf)));
    }
}

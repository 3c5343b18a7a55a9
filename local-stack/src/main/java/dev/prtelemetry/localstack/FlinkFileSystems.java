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

    public static void initialize(Path pluginsDir, String endpoint, String accessKey, String secretKey) throws Exception {
        if (!Files.isDirectory(pluginsDir.resolve("s3-fs-presto"))) {
            throw new IllegalStateException("no Flink S3 plugin under " + pluginsDir
                    + "/s3-fs-presto (mvn -pl local-stack process-resources puts it there)");
        }
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

package dev.prtelemetry.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.prtelemetry.flink.job.JobConfig;
import dev.prtelemetry.flink.job.TraceAssemblyJob;
import dev.prtelemetry.flink.metrics.MetricsWorkflow;
import dev.prtelemetry.flink.qa.QaConfig;
import dev.prtelemetry.schemas.stream.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart without a cluster: Helm (helm-java carries it) lints it strictly and renders it for
 * several value sets; every rendered object must be valid — core kinds against the Kubernetes
 * OpenAPI definitions ({@link KubernetesSchemas}), operator kinds against the operators' CRDs
 * ({@code ../shared/k8s-crds/}, {@link CrdSchemas}); and what it configures is what the jars
 * read: the ConfigMap's and Secret's keys are read by the job's or the gateway's configuration
 * (derived from the code, so they cannot drift), the FlinkDeployment's parallelism and checkpoint
 * directory are the ones {@link JobConfig} builds from those settings, the Kafka topics are
 * {@link Topics}' with {@link Topics#configs}' settings.
 */
class ChartTest {
    static final Path CHART = Path.of("prt").toAbsolutePath();
    static final Path CRDS = Path.of("../../shared/k8s-crds").toAbsolutePath().normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Arguments> valueSets() {
        return Stream.of(
                Arguments.of("defaults (external Kafka and PostgreSQL)", Map.of()),
                Arguments.of("operators (Strimzi Kafka, CloudNativePG, an existing secret)", Map.of(
                        "kafka.mode", "strimzi", "postgres.mode", "cnpg", "secrets.existingSecret", "prt-credentials",
                        "settings.PRT_RETENTION", "30d", "kafka.rawRetention", "3d")),
                Arguments.of("small (no autoscaling, no network policies, operator's service account)", Map.of(
                        "gateway.autoscaling.enabled", "false", "gateway.replicas", "1", "networkPolicy.enabled", "false",
                        "flink.createServiceAccount", "false", "flink.parallelism", "2", "flink.taskManager.slots", "1",
                        "flink.upgradeMode", "last-state")));
    }

    @Test
    void lintsStrictly() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.getMessages()).as("helm lint --strict").noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        assertThat(result.isFailed()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyRenderedObjectIsValidAgainstItsSchema(String name, Map<String, String> values) throws Exception {
        List<JsonNode> objects = render(values);
        assertThat(objects).isNotEmpty();
        CrdSchemas crds = CrdSchemas.load(CRDS);
        List<String> problems = new ArrayList<>();
        for (JsonNode o : objects) {
            String id = o.path("kind").asText() + " " + o.path("metadata").path("name").asText();
            if (crds.covers(o)) {
                crds.validate(o).forEach(p -> problems.add(id + ": " + p));
                if (o.path("kind").asText().equals("FlinkDeployment")) {
                    // its pod template is a Pod: checked against Kubernetes' own definition too
                    KubernetesSchemas.validate(o.at("/spec/podTemplate")).forEach(p -> problems.add(id + " podTemplate: " + p));
                }
            } else {
                KubernetesSchemas.validate(o).forEach(p -> problems.add(id + ": " + p));
            }
        }
        assertThat(problems).as(name).isEmpty();
        Set<String> kinds = new TreeSet<>();
        objects.forEach(o -> kinds.add(o.path("kind").asText()));
        assertThat(kinds).contains("ConfigMap", "Deployment", "Service", "PodDisruptionBudget", "FlinkDeployment");
        if (values.isEmpty()) {
            assertThat(kinds).contains("Secret", "HorizontalPodAutoscaler", "NetworkPolicy", "ServiceAccount", "Role", "RoleBinding")
                    .doesNotContain("Kafka", "Cluster");
        }
        if ("strimzi".equals(values.get("kafka.mode"))) {
            assertThat(kinds).contains("Kafka", "KafkaNodePool", "KafkaTopic", "Cluster").doesNotContain("Secret");
        }
        if ("false".equals(values.get("networkPolicy.enabled"))) {
            assertThat(kinds).doesNotContain("NetworkPolicy", "HorizontalPodAutoscaler", "ServiceAccount");
        }
    }

    /** The validators themselves can fail: a wrong field or value in each kind of object is named. */
    @Test
    void theValidatorsRefuseWhatAClusterWouldRefuse() throws Exception {
        List<JsonNode> objects = render(Map.of());
        ObjectNode deployment = (ObjectNode) find(objects, "Deployment").deepCopy();
        ((ObjectNode) deployment.at("/spec/template/spec/containers/0")).put("imagePullPolcy", "Always");
        assertThat(KubernetesSchemas.validate(deployment)).singleElement().asString().contains("imagePullPolcy");
        ObjectNode hpa = (ObjectNode) find(objects, "HorizontalPodAutoscaler").deepCopy();
        ((ObjectNode) hpa.get("spec")).remove("maxReplicas");
        assertThat(KubernetesSchemas.validate(hpa)).singleElement().asString().contains("maxReplicas");

        CrdSchemas crds = CrdSchemas.load(CRDS);
        ObjectNode flink = (ObjectNode) find(objects, "FlinkDeployment").deepCopy();
        ((ObjectNode) flink.at("/spec/job")).put("upgradeMode", "snapshot");
        ((ObjectNode) flink.at("/spec/job")).put("paralelism", 4);
        assertThat(crds.validate(flink)).hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("/spec/job/upgradeMode"))
                .anySatisfy(p -> assertThat(p).contains("paralelism"));
        ObjectNode topic = (ObjectNode) find(render(Map.of("kafka.mode", "strimzi")), "KafkaTopic").deepCopy();
        ((ObjectNode) topic.get("spec")).put("partitions", "four");
        assertThat(crds.validate(topic)).singleElement().asString().contains("/spec/partitions");
    }

    /** values.schema.json refuses values before anything renders, naming them. */
    @Test
    void badValuesAreRefusedByTheValuesSchema() {
        for (Map.Entry<String, String> bad : Map.of("kafka.mode", "zookeeper", "settings.PRT_JDBC_URL", "jdbc:postgresql://x/y",
                "s3.bucket", "Bad_Bucket", "flink.version", "v1_18", "settings.PRT_RETENTION", "ninety days",
                "gateway.autoscaling.targetCPUUtilizationPercentage", "250").entrySet()) {
            assertThatThrownBy(() -> render(Map.of(bad.getKey(), bad.getValue())))
                    .as(bad.getKey() + "=" + bad.getValue()).hasMessageContaining("values don't meet the specifications of the schema");
        }
    }

    /**
     * What the chart configures is what the jars read. The keys: every key of the ConfigMap and
     * the Secret is read by the job's configuration ({@link JobConfig}, {@link QaConfig}, the
     * metrics' and redaction settings — recorded by handing them a map that notes each key asked
     * for) or by the gateway's ({@code ${PRT_…}} in its application.yml). The values: the
     * {@link JobConfig} built from the rendered settings has the FlinkDeployment's parallelism,
     * checkpoint directory and interval; the FlinkDeployment runs the jar's main class and passes
     * it the same ConfigMap and Secret.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void theRenderedSettingsAreTheOnesTheJarsRead(String name, Map<String, String> values) throws Exception {
        List<JsonNode> objects = render(values);
        JsonNode configMap = find(objects, "ConfigMap");
        Map<String, String> settings = new TreeMap<>();
        configMap.get("data").fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText()));
        Map<String, String> secret = new TreeMap<>();
        objects.stream().filter(o -> o.path("kind").asText().equals("Secret"))
                .forEach(s -> s.get("stringData").fields().forEachRemaining(e -> secret.put(e.getKey(), e.getValue().asText())));
        Map<String, String> env = new HashMap<>(settings);
        env.putAll(secret);

        ReadKeys reads = new ReadKeys(env);
        JobConfig job = JobConfig.fromEnv(reads);
        QaConfig qa = QaConfig.fromEnv(reads, job.documentsBaseUri());
        MetricsWorkflow.Settings.fromEnv(reads);
        MetricsWorkflow.Settings.enabled(reads);
        Set<String> gateway = gatewayKeys();
        Set<String> unread = new TreeSet<>();
        for (String key : settings.keySet()) {
            if (!reads.asked.contains(key) && !gateway.contains(key)) {
                unread.add(key);
            }
        }
        for (String key : secret.keySet()) {
            if (!reads.asked.contains(key) && !gateway.contains(key) && !key.equals(qa.llmApiKeyEnv())) {
                unread.add(key);
            }
        }
        assertThat(unread).as("settings no jar reads").isEmpty();

        JsonNode flink = find(objects, "FlinkDeployment");
        assertThat(job.parallelism()).isEqualTo(flink.at("/spec/job/parallelism").asInt());
        assertThat(job.checkpointDir()).isEqualTo(flink.at("/spec/flinkConfiguration").get("execution.checkpointing.dir").asText());
        assertThat(flink.at("/spec/flinkConfiguration").get("execution.checkpointing.interval").asText())
                .isEqualTo(job.checkpointInterval().toMillis() + " ms");
        assertThat(job.kafkaBootstrapServers()).isNotBlank();
        assertThat(job.jdbcUrl()).startsWith("jdbc:postgresql://");
        assertThat(job.documentsBaseUri()).isEqualTo("s3://prt-telemetry");
        assertThat(flink.at("/spec/job/entryClass").asText()).isEqualTo(TraceAssemblyJob.class.getName());
        TraceAssemblyJob.class.getMethod("main", String[].class);
        assertThat(flink.at("/spec/job/args")).isEmpty(); // the main reads the environment, no arguments
        assertThat(flink.at("/spec/job/jarURI").asText()).endsWith("/" + jobJarName());
        String configMapName = configMap.at("/metadata/name").asText();
        for (JsonNode container : List.of(flink.at("/spec/podTemplate/spec/containers/0"),
                find(objects, "Deployment").at("/spec/template/spec/containers/0"))) {
            assertThat(container.get("envFrom").findValuesAsText("name")).contains(configMapName);
        }

        if ("strimzi".equals(values.get("kafka.mode"))) {
            Map<String, Map<String, String>> expected = Topics.configs(Topics.parseDuration(values.get("kafka.rawRetention")),
                    Topics.parseDuration(values.get("settings.PRT_RETENTION")));
            Map<String, Map<String, String>> rendered = new TreeMap<>();
            for (JsonNode t : objects) {
                if (t.path("kind").asText().equals("KafkaTopic")) {
                    Map<String, String> config = new TreeMap<>();
                    t.at("/spec/config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
                    rendered.put(t.at("/spec/topicName").asText(), config);
                    assertThat(t.at("/spec/replicas").asInt()).isEqualTo(3);
                }
            }
            assertThat(rendered).isEqualTo(new TreeMap<>(expected));
            assertThat(settings.get("PRT_KAFKA_BOOTSTRAP")).endsWith("-kafka-kafka-bootstrap:9092");
        }
    }

    /** The chart's example in helm/README.md is what it renders (so the README cannot go stale unnoticed). */
    @Test
    void theReadmeShowsWhatTheChartRenders() throws Exception {
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/rendered-defaults.yaml"), renderText(Map.of()));
        String readme = Files.readString(CHART.resolveSibling("README.md"));
        String marker = "<!-- rendered: FlinkDeployment -->\n```yaml\n";
        assertThat(readme).contains(marker);
        int start = readme.indexOf(marker) + marker.length();
        JsonNode shown = YAML.readTree(readme.substring(start, readme.indexOf("```", start)));
        assertThat(shown).isEqualTo(find(render(Map.of()), "FlinkDeployment"));
    }

    static String jobJarName() throws Exception {
        String pom = Files.readString(Path.of("../flink-jobs/pom.xml"));
        Matcher m = Pattern.compile("<outputFile>\\$\\{project.build.directory}/([^<]+)</outputFile>").matcher(pom);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** The PRT_* variables the gateway's configuration reads. */
    static Set<String> gatewayKeys() throws Exception {
        Set<String> keys = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{(PRT_[A-Z0-9_]+)").matcher(
                Files.readString(Path.of("../ingest-gateway/src/main/resources/application.yml")));
        while (m.find()) {
            keys.add(m.group(1));
        }
        assertThat(keys).contains("PRT_KAFKA_BOOTSTRAP", "PRT_RESEARCHER_TOKEN");
        return keys;
    }

    /** A settings map that notes every key its reader asks for. */
    static final class ReadKeys extends HashMap<String, String> {
        final Set<String> asked = new TreeSet<>();

        ReadKeys(Map<String, String> values) {
            super(values);
        }

        @Override
        public String get(Object key) {
            asked.add(String.valueOf(key));
            return super.get(key);
        }

        @Override
        public String getOrDefault(Object key, String defaultValue) {
            asked.add(String.valueOf(key));
            return super.getOrDefault(key, defaultValue);
        }

        @Override
        public boolean containsKey(Object key) {
            asked.add(String.valueOf(key));
            return super.containsKey(key);
        }
    }

    static List<JsonNode> render(Map<String, String> values) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(renderText(values))) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.size() > 0) {
                    out.add(doc);
                }
            }
        }
        return out;
    }

    static String renderText(Map<String, String> values) {
        TemplateCommand t = new Helm(CHART).template().withName("prt").withNamespace("telemetry").withKubeVersion("1.31.0");
        new LinkedHashMap<>(values).forEach(t::set);
        return t.call();
    }

    static JsonNode find(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " rendered"));
    }
}

package dev.prtelemetry.flink.job;

import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * JSON text records to one topic, keyed by one of their members (the trace id, so a trace's
 * records stay in order). Names its topic, which the pooled transaction naming needs.
 */
public class KeyedJsonSerializer implements KafkaRecordSerializationSchema<String>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String keyMember;

    public KeyedJsonSerializer(String topic, String keyMember) {
        this.topic = topic;
        this.keyMember = keyMember;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(String json, KafkaSinkContext context, Long timestamp) {
        String key = StrictJson.parse(json).path(keyMember).asText("");
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }
}

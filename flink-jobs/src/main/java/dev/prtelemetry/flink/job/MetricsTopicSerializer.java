package dev.prtelemetry.flink.job;

import dev.prtelemetry.flink.metrics.MetricRow;
import dev.prtelemetry.schemas.stream.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** A metrics window as its {@code prt.metrics} record (key: the window id), a withdrawn window as a tombstone (null value). */
public class MetricsTopicSerializer implements KafkaRecordSerializationSchema<MetricRow>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;

    @Override
    public ProducerRecord<byte[], byte[]> serialize(MetricRow row, KafkaSinkContext context, Long timestamp) {
        byte[] key = row.id().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(Topics.METRICS, key, row.isTombstone() ? null : row.json().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(Topics.METRICS))));
    }
}

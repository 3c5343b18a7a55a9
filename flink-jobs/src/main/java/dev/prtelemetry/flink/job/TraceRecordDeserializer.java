package dev.prtelemetry.flink.job;

import dev.prtelemetry.flink.assembly.TraceRecord;
import dev.prtelemetry.flink.assembly.TraceRecordParser;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** {@code prt.trace-records} → {@link TraceRecord}; unreadable records become dead letters, never exceptions. */
public class TraceRecordDeserializer implements KafkaRecordDeserializationSchema<TraceRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TraceRecord> out) {
        out.collect(TraceRecordParser.parse(record.key(), record.value()));
    }

    @Override
    public TypeInformation<TraceRecord> getProducedType() {
        return TypeInformation.of(TraceRecord.class);
    }
}

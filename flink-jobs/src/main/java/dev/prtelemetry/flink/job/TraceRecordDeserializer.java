package dev.prtelemetry.flink.job;

import dev.prtelemetry.flink.assembly.TraceRecord;
import dev.prtelemetry.flink.assembly.TraceRecordParser;
import dev.prtelemetry.schemas.stream.TraceRecords;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** {@code prt.trace-records} → {@link TraceRecord}; unreadable records become dead letters, never exceptions. */
public class TraceRecordDeserializer implements KafkaRecordDeserializationSchema<TraceRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TraceRecord> out) {
        TraceRecord r = TraceRecordParser.fromHeaders(record.key(), record.value(),
                header(record, TraceRecords.KIND_HEADER), header(record, TraceRecords.CHUNK_SEQ_HEADER),
                header(record, TraceRecords.DIGEST_HEADER));
        r.receivedAtMs = Math.max(0, record.timestamp()); // the gateway sets it to its receive time
        out.collect(r);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public TypeInformation<TraceRecord> getProducedType() {
        return TypeInformation.of(TraceRecord.class);
    }
}

package dev.prtelemetry.flink.assembly;

import dev.prtelemetry.schemas.integrity.ChainState;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/** Every type in records and state goes through Flink's POJO serializer, never Kryo. */
class SerializationTest {
    @Test
    void recordAndStateTypesAreSerializedAsPojosWithoutKryo() {
        for (Class<?> type : new Class<?>[] {TraceRecord.class, AssemblyState.class, ChainState.class, TraceMetrics.class,
                TraceRow.class, ChunkRow.class, AssembledTrace.class, DeadLetterRecord.class}) {
            PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
        }
    }
}

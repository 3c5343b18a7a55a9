package dev.prtelemetry.flink.assembly;

import dev.prtelemetry.schemas.stream.TraceRecords;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import dev.prtelemetry.flink.metrics.MetricFact;

/**
 * Keyed by trace id: moves records, state and timers through {@link TraceAssembler}. Main
 * output: the trace's table row after each change. Side outputs: accepted chunks (event
 * rows — the only copy of the events the job keeps), the finished trace's document without
 * its events (the document writer adds them from the chunk rows), dead letters. State is cleared when a trace ends;
 * a TTL is the safety net for traces nobody ends.
 */
public class TraceAssemblyFunction extends KeyedProcessFunction<String, TraceRecord, TraceRow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<ChunkRow> CHUNKS = new OutputTag<>("chunks", TypeInformation.of(ChunkRow.class));
    public static final OutputTag<AssembledTrace> ASSEMBLED =
            new OutputTag<>("assembled", TypeInformation.of(AssembledTrace.class));
    public static final OutputTag<DeadLetterRecord> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetterRecord.class));
    /** What the metrics windows count: one fact per accepted chunk, opened or ended trace, dropped duplicates. */
    public static final OutputTag<MetricFact> METRIC_FACTS =
            new OutputTag<>("metric-facts", TypeInformation.of(MetricFact.class));
    /** Participants whose data was erased on request (their metrics windows are withdrawn). */
    public static final OutputTag<dev.prtelemetry.flink.metrics.ParticipantErasure> PARTICIPANT_ERASURES =
            new OutputTag<>("participant-erasures", TypeInformation.of(dev.prtelemetry.flink.metrics.ParticipantErasure.class));

    private final TraceAssembler assembler;
    private final Duration stateTtl;

    private transient ValueState<AssemblyState> assembly;
    private transient ValueState<Long> timer;

    public TraceAssemblyFunction(TraceAssembler.Config config, Duration stateTtl) {
        this.assembler = new TraceAssembler(config);
        this.stateTtl = stateTtl;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(stateTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
        ValueStateDescriptor<AssemblyState> a = new ValueStateDescriptor<>("assembly", TypeInformation.of(AssemblyState.class));
        a.enableTimeToLive(ttl);
        ValueStateDescriptor<Long> t = new ValueStateDescriptor<>("timer", Types.LONG);
        t.enableTimeToLive(ttl);
        assembly = getRuntimeContext().getState(a);
        timer = getRuntimeContext().getState(t);
    }

    @Override
    public void processElement(TraceRecord record, Context ctx, Collector<TraceRow> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (!record.isValid()) {
            ctx.output(DEAD_LETTERS, deadLetter(record.traceId, record.error, record.text(), now));
            return;
        }
        AssemblyState s = assembly.value();
        if (TraceRecords.ERASE.equals(record.kind)) {
            // the participant's data was erased or its retention ended: drop what is held, write nothing
            Long registered = timer.value();
            if (registered != null) {
                ctx.timerService().deleteProcessingTimeTimer(registered);
            }
            assembly.clear();
            timer.clear();
            if (record.participantId != null) {
                ctx.output(PARTICIPANT_ERASURES, new dev.prtelemetry.flink.metrics.ParticipantErasure(record.participantId,
                        record.receivedAtMs > 0 ? record.receivedAtMs : now));
            }
            return;
        }
        if (s == null) {
            if (!TraceRecords.HEADER.equals(record.kind)) {
                // Headers are written before anything else of a trace: a later record for a trace
                // without state belongs to one that has ended, was erased, or was never created.
                ctx.output(DEAD_LETTERS, deadLetter(record.traceId,
                        "no open trace " + record.traceId + " (it has ended or was erased, or was never created)",
                        record.text(), now));
                return;
            }
            s = AssemblyState.start(record.traceId, now);
        }
        handle(s, assembler.onRecord(s, record, now), ctx, out, now, record.receivedAtMs);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TraceRow> out) throws Exception {
        AssemblyState s = assembly.value();
        timer.clear();
        if (s == null) {
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        handle(s, assembler.onTimer(s, now), ctx, out, now, 0);
    }

    /** Dead letters are a durable store too: the record text goes there with its secrets redacted. */
    private DeadLetterRecord deadLetter(String traceId, String reason, String recordJson, long now) {
        return new DeadLetterRecord(traceId, reason, assembler.scrub(recordJson), now);
    }

    private void handle(AssemblyState s, TraceAssembler.Outcome o, Context ctx, Collector<TraceRow> out, long now,
                        long recordReceivedAtMs) throws Exception {
        for (TraceAssembler.AppliedChunk c : o.applied) {
            ctx.output(CHUNKS, new ChunkRow(s.traceId, c.chunkSeq(), c.firstSeq(), c.lastSeq(), c.eventsJson()));
        }
        for (MetricFact f : TraceFacts.of(s, o, now, recordReceivedAtMs)) {
            ctx.output(METRIC_FACTS, f);
        }
        for (TraceAssembler.DeadLetter d : o.deadLetters) {
            ctx.output(DEAD_LETTERS, deadLetter(s.traceId, d.reason(), d.recordJson(), now));
        }
        if (o.finished) {
            // the events are in the chunk rows just emitted: the document writer builds the document from them
            TraceRow row = TraceDocuments.row(s, now);
            ctx.output(ASSEMBLED, new AssembledTrace(s.traceId, TraceDocuments.skeleton(s, now), s.nextChunkSeq,
                    s.createdAtS, row));
            Long registered = timer.value();
            if (registered != null) {
                ctx.timerService().deleteProcessingTimeTimer(registered);
            }
            assembly.clear();
            timer.clear();
            return;
        }
        assembly.update(s);
        if (o.changed) {
            out.collect(TraceDocuments.row(s, now));
        }
        long next = assembler.nextTimerMs(s);
        Long registered = timer.value();
        if (registered == null || registered != next) {
            if (registered != null) {
                ctx.timerService().deleteProcessingTimeTimer(registered);
            }
            ctx.timerService().registerProcessingTimeTimer(next);
            timer.update(next);
        }
    }
}

package dev.prtelemetry.flink.qa;

import dev.prtelemetry.qa.judging.Judge;
import dev.prtelemetry.qa.judging.Judges;
import dev.prtelemetry.schemas.rubric.Rubric;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The async judge operator: after a trace's sandbox verification, every configured judge
 * scores it on every configured rubric, on a bounded executor (model calls can take seconds).
 * Judgements already stored for the trace digest are skipped, so a re-triggered call after
 * recovery reuses them. A judge that fails gives a judgement with its error (stored: it says
 * which judge failed and why); only an unreachable object store or database fails the attempt.
 */
public class JudgeFunction extends RichAsyncFunction<QaResult, JudgementRow> {
    private static final long serialVersionUID = 1L;

    private final QaConfig config;
    private final String jdbcUrl;
    private final String jdbcUser;
    private final String jdbcPassword;

    private transient ThreadPoolExecutor executor;
    private transient JdbcJudgementKeys stored;
    private transient TraceJudging judging;

    public JudgeFunction(QaConfig config, String jdbcUrl, String jdbcUser, String jdbcPassword) {
        this.config = config;
        this.jdbcUrl = jdbcUrl;
        this.jdbcUser = jdbcUser;
        this.jdbcPassword = jdbcPassword;
    }

    @Override
    public void open(OpenContext openContext) {
        executor = new ThreadPoolExecutor(config.judgeThreads(), config.judgeThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1024), r -> {
                    Thread t = new Thread(r, "prt-qa-judge");
                    t.setDaemon(true);
                    return t;
                });
        List<Judge> judges = new ArrayList<>();
        for (String j : config.judges()) {
            judges.add(Judges.create(j, null, null, config.llmApiKeyEnv(), System.getenv()));
        }
        List<Rubric> rubrics = config.rubrics().stream().map(Rubric::load).toList();
        stored = new JdbcJudgementKeys(jdbcUrl, jdbcUser, jdbcPassword);
        judging = new TraceJudging(judges, rubrics, stored, SandboxVerifyFunction::read);
    }

    @Override
    public void asyncInvoke(QaResult verified, ResultFuture<JudgementRow> result) {
        if (verified.claimJson == null) {
            result.complete(List.of());
            return;
        }
        CompletableFuture.supplyAsync(() -> {
            try {
                return judging.judge(verified.claimJson);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, executor).whenComplete((rows, error) -> {
            if (error != null) {
                result.completeExceptionally(error.getCause() != null ? error.getCause() : error);
            } else {
                for (JudgementRow row : rows) {
                    row.participantId = verified.participantId;
                    row.taskId = verified.taskId;
                    row.repo = verified.repo;
                }
                result.complete(rows);
            }
        });
    }

    @Override
    public void close() throws Exception {
        if (executor != null) {
            executor.shutdownNow();
        }
        if (stored != null) {
            stored.close();
        }
    }
}

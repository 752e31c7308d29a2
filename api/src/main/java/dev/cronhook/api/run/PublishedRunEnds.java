package dev.cronhook.api.run;

import dev.cronhook.core.run.FinishedRuns;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.wire.Wire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The ends of runs as their executors published them ({@link FinishedRuns}), exactly as published and a
 * moment before the api has recorded them: a sync webhook caller is answered from there, so every reader looks
 * there too for a run the database still shows as queued or running, and sees the run end no later than the caller
 * did.
 */
@Component
public class PublishedRunEnds {
    private final FinishedRuns finished;

    public PublishedRunEnds(FinishedRuns finished) {
        this.finished = finished;
    }

    /**
     * The end its executor published, while that record lasts; empty too when it cannot be read (readers then see
     * what the database has, which is never wrong, only possibly a moment behind).
     */
    public Optional<RunResult> of(UUID runId) {
        return finished.find(runId);
    }

    /** The run, with its published end when the database has not recorded an end yet. */
    public RunView over(RunView run) {
        if (run.status().isFinal()) return run;
        return of(run.id()).map(end -> ended(run, end)).orElse(run);
    }

    /** The same for many runs, in one round trip for those not ended in the database. */
    public List<RunView> over(List<RunView> runs) {
        var open = runs.stream()
                .filter(r -> !r.status().isFinal())
                .map(RunView::id)
                .toList();
        if (open.isEmpty()) return runs;
        Map<UUID, RunResult> ends = finished.findAll(open);
        var out = new ArrayList<RunView>(runs.size());
        for (var run : runs) out.add(ends.containsKey(run.id()) ? ended(run, ends.get(run.id())) : run);
        return out;
    }

    private static RunView ended(RunView run, RunResult end) {
        var started = run.startedAt() != null ? run.startedAt() : end.startedAt();
        var finished = end.finishedAt();
        return new RunView(
                run.id(),
                run.scriptId(),
                run.version(),
                run.trigger(),
                end.status(),
                run.event(),
                end.resultJson(),
                end.reply() == null ? null : Wire.json().writeValueAsString(end.reply()),
                end.error(),
                run.attempt(),
                run.scheduledAt(),
                run.queuedAt(),
                started,
                finished,
                started != null && finished != null
                        ? Duration.between(started, finished).toMillis()
                        : null,
                run.replayOf());
    }
}

package dev.cronhook.core.run.memory;

import dev.cronhook.core.run.FinishedRuns;
import dev.cronhook.core.run.FinishedRunsContract;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.TriggerKind;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

class InMemoryFinishedRunsTest extends FinishedRunsContract {
    final InMemoryFinishedRuns board = new InMemoryFinishedRuns();
    final InMemoryRunLedger ledger =
            new InMemoryRunLedger(new InMemoryRunSignals(), r -> {}, Duration.ofSeconds(1), board);

    @Override
    protected FinishedRuns board() {
        return board;
    }

    @Override
    protected void publish(RunResult end) {
        var request = new RunRequest(
                end.runId(), UUID.randomUUID(), 1, "image", TriggerKind.WEBHOOK, "{}", 1, 128, 1, Instant.now());
        ledger.finish(request, end).join();
    }

    @Override
    protected void logALine(UUID runId) {
        board.logged(runId);
    }
}

package dev.cronhook.core.run.memory;

import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.memory.InMemoryQueues;
import dev.cronhook.core.queue.memory.InMemoryWorkQueue;
import dev.cronhook.core.run.RunBacklog;
import dev.cronhook.core.run.RunBacklogContract;
import dev.cronhook.core.run.RunLedger;
import dev.cronhook.core.run.RunRequest;
import java.time.Duration;

class InMemoryRunBacklogTest extends RunBacklogContract {
    final InMemoryWorkQueue<RunRequest> runs =
            (InMemoryWorkQueue<RunRequest>) new InMemoryQueues().open(QueueSpec.RUNS);
    final InMemoryRunLedger ledger =
            new InMemoryRunLedger(new InMemoryRunSignals(), runs::enqueue, Duration.ofMillis(200));
    final InMemoryRunBacklog backlog = new InMemoryRunBacklog(runs, ledger);

    @Override
    protected RunBacklog backlog() {
        return backlog;
    }

    @Override
    protected WorkQueue<RunRequest> runQueue() {
        return runs;
    }

    @Override
    protected RunLedger ledger() {
        return ledger;
    }

    @Override
    protected long queued() {
        return runs.size();
    }
}

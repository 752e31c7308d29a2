package dev.cronhook.core.run.memory;

import dev.cronhook.core.run.RunLedger;
import dev.cronhook.core.run.RunLedgerContract;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunSignals;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

class InMemoryRunLedgerTest extends RunLedgerContract {
    final InMemoryRunSignals signals = new InMemoryRunSignals();
    final List<UUID> requeued = new CopyOnWriteArrayList<>();
    final InMemoryRunLedger ledger =
            new InMemoryRunLedger(signals, request -> requeued.add(request.runId()), LEASE_SLACK);

    @Override
    protected RunLedger ledger() {
        return ledger;
    }

    @Override
    protected RunSignals signals() {
        return signals;
    }

    @Override
    protected List<UUID> requeued() {
        return List.copyOf(requeued);
    }

    @Override
    protected List<RunResult> published() {
        return ledger.published();
    }
}

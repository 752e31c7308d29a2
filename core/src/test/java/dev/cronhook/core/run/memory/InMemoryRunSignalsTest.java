package dev.cronhook.core.run.memory;

import dev.cronhook.core.run.RunSignals;
import dev.cronhook.core.run.RunSignalsContract;

class InMemoryRunSignalsTest extends RunSignalsContract {
    final InMemoryRunSignals signals = new InMemoryRunSignals();

    @Override
    protected RunSignals signals() {
        return signals;
    }
}

package dev.cronhook.core.run.memory;

import dev.cronhook.core.run.Admission;
import dev.cronhook.core.run.AdmissionContract;

class InMemoryAdmissionTest extends AdmissionContract {
    final InMemoryAdmission admission = new InMemoryAdmission();

    @Override
    protected Admission admission() {
        return admission;
    }
}

package dev.cronhook.api.schedule.jobrunr;

import dev.cronhook.api.run.QueuedRunSweep;
import org.jobrunr.jobs.lambdas.JobRequestHandler;

/** Runs {@link SweepQueuedRunsJob}. */
public class SweepQueuedRunsJobHandler implements JobRequestHandler<SweepQueuedRunsJob> {
    private final QueuedRunSweep sweep;

    public SweepQueuedRunsJobHandler(QueuedRunSweep sweep) {
        this.sweep = sweep;
    }

    @Override
    public void run(SweepQueuedRunsJob job) {
        sweep.sweep();
    }
}

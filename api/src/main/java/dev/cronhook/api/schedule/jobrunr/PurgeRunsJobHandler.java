package dev.cronhook.api.schedule.jobrunr;

import dev.cronhook.api.schedule.RunRetention;
import org.jobrunr.jobs.lambdas.JobRequestHandler;

/** Runs {@link PurgeRunsJob}. */
public class PurgeRunsJobHandler implements JobRequestHandler<PurgeRunsJob> {
    private final RunRetention retention;

    public PurgeRunsJobHandler(RunRetention retention) {
        this.retention = retention;
    }

    @Override
    public void run(PurgeRunsJob job) {
        retention.purge();
    }
}

package dev.cronhook.api.schedule.jobrunr;

import org.jobrunr.jobs.lambdas.JobRequest;

/** The recurring job that reconciles the due-set with the database. */
public record ReconcileDueSetJob() implements JobRequest {
    @Override
    public Class<ReconcileDueSetJobHandler> getJobRequestHandler() {
        return ReconcileDueSetJobHandler.class;
    }
}

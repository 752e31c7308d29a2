package dev.cronhook.api.schedule.jobrunr;

import org.jobrunr.jobs.lambdas.JobRequest;

/** The recurring job that deletes runs older than the retention. */
public record PurgeRunsJob() implements JobRequest {
    @Override
    public Class<PurgeRunsJobHandler> getJobRequestHandler() {
        return PurgeRunsJobHandler.class;
    }
}

package dev.cronhook.api.schedule.jobrunr;

import org.jobrunr.jobs.lambdas.JobRequest;

/** The recurring job that queues again the runs accepted but never queued. */
public record SweepQueuedRunsJob() implements JobRequest {
    @Override
    public Class<SweepQueuedRunsJobHandler> getJobRequestHandler() {
        return SweepQueuedRunsJobHandler.class;
    }
}

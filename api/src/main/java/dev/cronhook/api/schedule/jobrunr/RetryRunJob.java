package dev.cronhook.api.schedule.jobrunr;

import java.time.Instant;
import java.util.UUID;
import org.jobrunr.jobs.lambdas.JobRequest;

/** Launches the next attempt of a failed run, not before {@code notBefore}. */
public record RetryRunJob(UUID failedRunId, Instant notBefore) implements JobRequest {
    @Override
    public Class<RetryRunJobHandler> getJobRequestHandler() {
        return RetryRunJobHandler.class;
    }
}

package dev.cronhook.api.schedule.jobrunr;

import org.jobrunr.scheduling.JobRequestScheduler;
import org.springframework.context.SmartLifecycle;

/** Registers the scheduler's recurring JobRunr jobs (idempotent by id, so every replica may). */
public class SchedulerJobs implements SmartLifecycle {
    static final String RECONCILE = "cronhook-reconcile-due-set";
    static final String PURGE = "cronhook-purge-runs";
    static final String SWEEP_QUEUED = "cronhook-sweep-queued-runs";

    private final JobRequestScheduler jobs;
    private final String reconcileCron;
    private final String purgeCron;
    private final String sweepQueuedCron;
    private volatile boolean running;

    public SchedulerJobs(JobRequestScheduler jobs, String reconcileCron, String purgeCron, String sweepQueuedCron) {
        this.jobs = jobs;
        this.reconcileCron = reconcileCron;
        this.purgeCron = purgeCron;
        this.sweepQueuedCron = sweepQueuedCron;
    }

    @Override
    public void start() {
        jobs.scheduleRecurrently(RECONCILE, reconcileCron, new ReconcileDueSetJob());
        jobs.scheduleRecurrently(PURGE, purgeCron, new PurgeRunsJob());
        jobs.scheduleRecurrently(SWEEP_QUEUED, sweepQueuedCron, new SweepQueuedRunsJob());
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}

package dev.cronhook.api.schedule.jobrunr;

import org.jobrunr.scheduling.JobRequestScheduler;
import org.springframework.context.SmartLifecycle;

/** Registers the scheduler's recurring JobRunr jobs (idempotent by id, so every replica may). */
public class SchedulerJobs implements SmartLifecycle {
    static final String RECONCILE = "cronhook-reconcile-due-set";
    static final String PURGE = "cronhook-purge-runs";

    private final JobRequestScheduler jobs;
    private final String reconcileCron;
    private final String purgeCron;
    private volatile boolean running;

    public SchedulerJobs(JobRequestScheduler jobs, String reconcileCron, String purgeCron) {
        this.jobs = jobs;
        this.reconcileCron = reconcileCron;
        this.purgeCron = purgeCron;
    }

    @Override
    public void start() {
        jobs.scheduleRecurrently(RECONCILE, reconcileCron, new ReconcileDueSetJob());
        jobs.scheduleRecurrently(PURGE, purgeCron, new PurgeRunsJob());
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

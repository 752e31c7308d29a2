package dev.cronhook.api.schedule.jobrunr;

import java.sql.SQLException;
import org.jobrunr.jobs.lambdas.JobRequest;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.jobrunr.storage.StorageException;
import org.springframework.context.SmartLifecycle;

/**
 * Registers the scheduler's recurring JobRunr jobs, idempotent by id, so every replica may, at the same time too:
 * JobRunr looks for the job and then inserts it, so two replicas starting at once can both insert, and the second
 * fails on the primary key. That registration is made again, and finds the first one's row to update.
 */
public class SchedulerJobs implements SmartLifecycle {
    /** How often a registration that lost the race is made again (each loses only to a replica that won). */
    private static final int TRIES = 5;
    /** PostgreSQL's (and CockroachDB's) SQLSTATE for a unique violation. */
    private static final String UNIQUE_VIOLATION = "23505";

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
        register(RECONCILE, reconcileCron, new ReconcileDueSetJob());
        register(PURGE, purgeCron, new PurgeRunsJob());
        register(SWEEP_QUEUED, sweepQueuedCron, new SweepQueuedRunsJob());
        running = true;
    }

    private void register(String id, String cron, JobRequest job) {
        for (int attempt = 1; ; attempt++) {
            try {
                jobs.scheduleRecurrently(id, cron, job);
                return;
            } catch (StorageException e) {
                if (attempt == TRIES || !insertedMeanwhile(e)) throw e;
            }
        }
    }

    /** Whether the registration failed because another replica inserted the same job between JobRunr's two steps. */
    static boolean insertedMeanwhile(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) return true;
        }
        return false;
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

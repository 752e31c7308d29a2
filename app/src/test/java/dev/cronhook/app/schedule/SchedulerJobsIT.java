package dev.cronhook.app.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.api.schedule.jobrunr.SchedulerJobs;
import dev.cronhook.app.testing.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jobrunr.jobs.RecurringJob;
import org.jobrunr.jobs.mappers.JobMapper;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.mapper.jackson3.Jackson3JsonMapper;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Scheduler replicas that start at the same moment on a new installation (a Kubernetes deployment of two, the chaos
 * test's pair) each register the recurring JobRunr jobs. JobRunr looks for a job and then inserts it, so two of them
 * could both insert and the second replica failed to start on the primary key: found by {@code ChaosIT} in CI.
 */
class SchedulerJobsIT {
    private static final int REPLICAS = 6;
    private static final int ROUNDS = 15;

    @Test
    void replicasStartingAtOnceAllRegisterTheRecurringJobsOnce() throws Exception {
        var dir = Files.createTempDirectory(Path.of("/tmp"), "jobs-");
        // the unprivileged postgres user must reach its data directory below this one
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (var pg = new PostgresCluster(dir.resolve("pg"))) {
            var replicas = new ArrayList<JobRequestScheduler>();
            PGSimpleDataSource data = null;
            for (int i = 0; i < REPLICAS; i++) {
                // each replica with its own storage provider, as separate processes have
                data = new PGSimpleDataSource();
                data.setURL(pg.jdbcUrl());
                data.setUser(pg.username());
                var storage = new PostgresStorageProvider(data);
                storage.setJobMapper(new JobMapper(new Jackson3JsonMapper()));
                replicas.add(new JobRequestScheduler(storage));
            }

            for (int round = 0; round < ROUNDS; round++) {
                // a new installation: no recurring job registered yet
                try (var c = data.getConnection();
                        var s = c.createStatement()) {
                    s.execute("DELETE FROM jobrunr_recurring_jobs");
                }
                var together = new CyclicBarrier(REPLICAS);
                try (var threads = Executors.newFixedThreadPool(REPLICAS)) {
                    var starts = new ArrayList<Future<?>>();
                    for (var scheduler : replicas) {
                        starts.add(threads.submit(() -> {
                            together.await();
                            new SchedulerJobs(scheduler, "* * * * *", "17 3 * * *", "* * * * *").start();
                            return null;
                        }));
                    }
                    // a replica that failed to start throws here
                    for (var start : starts) start.get(60, TimeUnit.SECONDS);
                }
                var storage = new PostgresStorageProvider(data);
                storage.setJobMapper(new JobMapper(new Jackson3JsonMapper()));
                assertThat(storage.getRecurringJobs().stream().map(RecurringJob::getId))
                        .containsExactlyInAnyOrder(
                                "cronhook-reconcile-due-set", "cronhook-purge-runs", "cronhook-sweep-queued-runs");
            }
        } finally {
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        }
    }
}

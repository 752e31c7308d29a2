package dev.cronhook.api.config;

import dev.cronhook.api.run.QueuedRunSweep;
import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.schedule.CronScheduler;
import dev.cronhook.api.schedule.DueSet;
import dev.cronhook.api.schedule.DueSetReconciler;
import dev.cronhook.api.schedule.RunRetention;
import dev.cronhook.api.schedule.ScheduleRepository;
import dev.cronhook.api.schedule.ScheduleWakeups;
import dev.cronhook.api.schedule.SchedulerProperties;
import dev.cronhook.api.schedule.jobrunr.PurgeRunsJobHandler;
import dev.cronhook.api.schedule.jobrunr.ReconcileDueSetJobHandler;
import dev.cronhook.api.schedule.jobrunr.SchedulerJobs;
import dev.cronhook.api.schedule.jobrunr.SweepQueuedRunsJobHandler;
import dev.cronhook.api.schedule.redis.RedisScheduleWakeups;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.run.RunBacklog;
import dev.cronhook.core.run.RunRequest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The scheduler role: fires cron schedules from the due-set, and runs the durable background work as JobRunr jobs
 * (retries, due-set reconciliation, run retention). JobRunr's job server must be on in these processes:
 * {@code jobrunr.background-job-server.enabled} follows the role in the app's configuration.
 */
@AutoConfiguration(
        after = SchedulerClientConfiguration.class,
        afterName = "org.jobrunr.spring.autoconfigure.JobRunrAutoConfiguration")
@ConditionalOnBooleanProperty("cronhook.role.scheduler.enabled")
@EnableConfigurationProperties(SchedulerProperties.class)
public class SchedulerConfiguration {

    @Bean
    ScheduleRepository scheduleRepository(JdbcClient jdbc) {
        return new ScheduleRepository(jdbc);
    }

    /** The api role's, in a process that has both; a scheduler of its own listens on the same channel. */
    @Bean
    @ConditionalOnMissingBean
    ScheduleWakeups scheduleWakeups(RedisClient client, StatefulRedisConnection<String, String> connection) {
        return new RedisScheduleWakeups(client, connection);
    }

    @Bean
    DueSetReconciler dueSetReconciler(
            DueSet dueSet, ScheduleRepository schedules, Clock clock, SchedulerProperties properties) {
        // a live scheduler launches a tick within the lookahead of moving its schedule on; a claim lease is ample
        return new DueSetReconciler(
                dueSet, schedules, clock, properties.claimLease().plus(properties.lookahead()));
    }

    @Bean
    CronScheduler cronScheduler(
            DueSet dueSet,
            DueSetReconciler reconciler,
            ScheduleRepository schedules,
            ScriptRepository scripts,
            RunService runs,
            JsonMapper json,
            SchedulerProperties properties,
            Clock clock,
            ScheduleWakeups wakeups,
            QueuedRunSweep sweep,
            org.springframework.beans.factory.ObjectProvider<dev.cronhook.api.schedule.TickProblems> problems) {
        var scheduler = new CronScheduler(dueSet, reconciler, schedules, scripts, runs, json, properties, clock);
        scheduler.wakeUpOn(wakeups);
        scheduler.sweepAtStart(sweep);
        problems.ifAvailable(scheduler::tellProblemsTo);
        return scheduler;
    }

    @Bean
    RunRetention runRetention(
            JdbcClient jdbc, @Value("${cronhook.retention.runs:30d}") Duration retention, Clock clock) {
        return new RunRetention(jdbc, retention, clock);
    }

    @Bean
    ReconcileDueSetJobHandler reconcileDueSetJobHandler(DueSetReconciler reconciler) {
        return new ReconcileDueSetJobHandler(reconciler);
    }

    /** Runs accepted but never queued (their process stopped in between): queued again, or failed. */
    @Bean
    QueuedRunSweep queuedRunSweep(
            RunRepository runs,
            RunService service,
            RunBacklog backlog,
            WorkQueue<RunRequest> runQueue,
            Clock clock,
            SchedulerProperties properties) {
        return new QueuedRunSweep(runs, service, backlog, runQueue, clock, properties.queuedGrace(), 1000, 10);
    }

    @Bean
    SweepQueuedRunsJobHandler sweepQueuedRunsJobHandler(QueuedRunSweep sweep) {
        return new SweepQueuedRunsJobHandler(sweep);
    }

    @Bean
    PurgeRunsJobHandler purgeRunsJobHandler(RunRetention retention) {
        return new PurgeRunsJobHandler(retention);
    }

    @Bean
    @ConditionalOnBean(JobRequestScheduler.class)
    SchedulerJobs schedulerJobs(JobRequestScheduler jobs, SchedulerProperties properties) {
        return new SchedulerJobs(
                jobs, properties.reconcileCron(), properties.purgeCron(), properties.queuedSweepCron());
    }
}

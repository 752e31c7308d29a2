package dev.cronhook.api.schedule;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The scheduler role's settings ({@code cronhook.scheduler.*}).
 *
 * @param pollInterval longest sleep between looks at the due-set; the loop sleeps until the earliest entry is due,
 *     a changed schedule wakes every replica at once (over Redis pub/sub), and a replica whose subscription was
 *     broken (a Redis restart) looks again when it is back; so this bounds only a wake-up lost some other way, and
 *     an idle scheduler looks once in it
 * @param lookahead how far ahead schedules are claimed and their database work done; runs still launch on time
 * @param batchSize most schedules claimed and fired in one go
 * @param claimLease how long a claimed entry stays hidden from other replicas before it is due again
 * @param lateTolerance a tick later than this is missed (the scheduler was down), subject to the catch-up policy
 * @param catchUpGrace a missed tick older than this is not caught up even with catch-up policy run-once
 * @param reconcileCron when the due-set is reconciled with the database (a JobRunr recurring job, 5 fields, UTC)
 * @param purgeCron when runs older than {@code cronhook.retention.runs} are deleted (JobRunr, 5 fields, UTC)
 * @param queuedGrace how long after it was recorded a run not ended (QUEUED, or RUNNING) may go before the sweep looks
 *     for a trace of it (and queues it again if there is none: its process stopped between recording and queueing
 *     it, or while its own executor ran it directly)
 * @param queuedSweepCron when runs not ended after {@code queuedGrace} are swept (JobRunr, 5 fields, UTC)
 */
@ConfigurationProperties("cronhook.scheduler")
public record SchedulerProperties(
        @DefaultValue("10s") Duration pollInterval,
        @DefaultValue("500ms") Duration lookahead,
        @DefaultValue("1000") int batchSize,
        @DefaultValue("60s") Duration claimLease,
        @DefaultValue("30s") Duration lateTolerance,
        @DefaultValue("1h") Duration catchUpGrace,
        @DefaultValue("* * * * *") String reconcileCron,
        @DefaultValue("17 3 * * *") String purgeCron,
        @DefaultValue("60s") Duration queuedGrace,
        @DefaultValue("* * * * *") String queuedSweepCron) {}

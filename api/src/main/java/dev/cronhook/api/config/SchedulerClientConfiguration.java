package dev.cronhook.api.config;

import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunRetries;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.schedule.DueSet;
import dev.cronhook.api.schedule.ScheduleWakeups;
import dev.cronhook.api.schedule.jobrunr.JobRunrRunRetries;
import dev.cronhook.api.schedule.jobrunr.RetryRunJobHandler;
import dev.cronhook.api.schedule.redis.RedisDueSet;
import dev.cronhook.api.schedule.redis.RedisRetryMarks;
import dev.cronhook.api.schedule.redis.RedisScheduleWakeups;
import dev.cronhook.api.script.ScheduleChanges;
import dev.cronhook.api.script.ScriptRepository;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every api process needs to talk to the scheduler, with or without the scheduler role: the due-set (told of
 * schedule changes at once) and the scheduling of retries after failed runs (as JobRunr jobs in the database, run
 * by a scheduler replica).
 */
@AutoConfiguration(after = ApiConfiguration.class)
@ConditionalOnBooleanProperty("cronhook.role.api.enabled")
public class SchedulerClientConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    DueSet dueSet(StatefulRedisConnection<String, String> connection) {
        return new RedisDueSet(connection);
    }

    @Bean
    ScheduleWakeups scheduleWakeups(RedisClient client, StatefulRedisConnection<String, String> connection) {
        return new RedisScheduleWakeups(client, connection);
    }

    @Bean
    ScheduleChanges scheduleChanges(DueSet dueSet, ScheduleWakeups wakeups) {
        return (scriptId, next) -> {
            if (next == null) {
                dueSet.remove(List.of(scriptId));
            } else {
                dueSet.put(Map.of(scriptId, next));
                // a replica asleep until its next look would fire a schedule due sooner late
                wakeups.announce();
            }
        };
    }

    /** Here, not only in schedulers: this process launches a retry due sooner than JobRunr's next look itself. */
    @Bean
    RetryRunJobHandler retryRunJobHandler(
            RunRepository runs,
            ScriptRepository scripts,
            RunService runService,
            StatefulRedisConnection<String, String> redis,
            JsonMapper json,
            Clock clock) {
        return new RetryRunJobHandler(runs, scripts, runService, new RedisRetryMarks(redis), json, clock);
    }

    @Bean
    RunRetries runRetries(
            RunRepository runs,
            ScriptRepository scripts,
            ObjectProvider<JobRequestScheduler> jobs,
            Clock clock,
            RetryRunJobHandler handler,
            @Value("${jobrunr.background-job-server.poll-interval-in-seconds:15}") long pollSeconds) {
        return new JobRunrRunRetries(runs, scripts, jobs, clock, handler, Duration.ofSeconds(pollSeconds));
    }
}

package dev.cronhook.api.alert;

import dev.cronhook.core.run.RunStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The meters of runs, cron ticks and alerts in {@code /actuator/prometheus}: {@code cronhook_runs_total} and
 * {@code cronhook_run_duration_seconds} (by status and trigger), {@code cronhook_cron_lateness_seconds}, {@code
 * cronhook_alerts_sent_total}, {@code cronhook_builds_total} and {@code cronhook_build_duration_seconds} (by state),
 * {@code cronhook_alerts_sent_total} and {@code cronhook_alerts_failed_total} (attempts, by channel kind) and {@code
 * cronhook_alerts_given_up_total}.
 */
@Component
public class AlertMetrics {
    private final MeterRegistry registry;
    private final Timer lateness;

    public AlertMetrics(ObjectProvider<MeterRegistry> registry) {
        this.registry = registry.getIfAvailable(SimpleMeterRegistry::new);
        this.lateness = Timer.builder("cronhook.cron.lateness")
                .description("from a cron tick to its run's launch")
                .publishPercentileHistogram()
                .register(this.registry);
        // at zero from the start, so a dashboard shows "none failed" rather than "no data"
        for (var kind : Channel.Kind.values()) {
            sent(kind);
            failed(kind);
            givenUp(kind);
        }
    }

    private Counter sent(Channel.Kind kind) {
        return Counter.builder("cronhook.alerts.sent")
                .description("alerts delivered, by channel kind")
                .tag("channel", kind.wire())
                .register(registry);
    }

    private Counter failed(Channel.Kind kind) {
        return Counter.builder("cronhook.alerts.failed")
                .description("failed attempts to deliver an alert, by channel kind")
                .tag("channel", kind.wire())
                .register(registry);
    }

    private Counter givenUp(Channel.Kind kind) {
        return Counter.builder("cronhook.alerts.given.up")
                .description("alerts given up after their last attempt, by channel kind")
                .tag("channel", kind.wire())
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    void runEnded(RunStatus status, String trigger, Duration duration) {
        String s = status.name().toLowerCase(Locale.ROOT);
        Counter.builder("cronhook.runs")
                .description("runs that ended, by status and trigger")
                .tag("status", s)
                .tag("trigger", trigger)
                .register(registry)
                .increment();
        if (duration != null && !duration.isNegative()) {
            Timer.builder("cronhook.run.duration")
                    .description("from a run's start to its end")
                    .tag("status", s)
                    .tag("trigger", trigger)
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(duration);
        }
    }

    void buildEnded(dev.cronhook.core.build.BuildState state, Duration duration) {
        String s = state.name().toLowerCase(Locale.ROOT);
        Counter.builder("cronhook.builds")
                .description("builds that ended, by state")
                .tag("state", s)
                .register(registry)
                .increment();
        if (duration != null && !duration.isNegative()) {
            Timer.builder("cronhook.build.duration")
                    .description("from a version's save to its build's end")
                    .tag("state", s)
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(duration);
        }
    }

    void cronLateness(Duration late) {
        lateness.record(late.isNegative() ? Duration.ZERO : late);
    }

    void alertSent(Channel.Kind kind) {
        sent(kind).increment();
    }

    void alertFailed(Channel.Kind kind, boolean givenUp) {
        failed(kind).increment();
        if (givenUp) givenUp(kind).increment();
    }
}

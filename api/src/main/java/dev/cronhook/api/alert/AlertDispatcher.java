package dev.cronhook.api.alert;

import dev.cronhook.api.run.RunService;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.api.secret.SecretCipher;
import dev.cronhook.core.net.PrivateAddressGuard;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends the alerts of the {@link AlertOutbox}: at least once, each attempt recorded, failed attempts tried again
 * with exponential backoff up to a limit. One loop per api replica claims due deliveries under a lease and sends
 * them on virtual threads; a replica that dies mid-send leaves its deliveries to whichever replica claims them when
 * the lease ends (the same one, restarted, included). Nothing here is on a run's path.
 *
 * <p>The loop sleeps until the earliest pending delivery is due (a retry's backoff, a lease's end), by the
 * database's clock. New deliveries are written by this process ({@link Incidents}, a test alert), which wakes it; so
 * the poll interval ({@code cronhook.alerts.poll-interval}, 10 s) only bounds what nothing here was told of, and an
 * idle platform asks the database once in it.
 */
@Component
public class AlertDispatcher implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(AlertDispatcher.class);
    private static final int BATCH = 32;

    private final AlertOutbox outbox;
    private final ChannelRepository channels;
    private final SecretCipher cipher;
    private final AlertMetrics metrics;
    private final Map<Channel.Kind, ChannelSender> senders = new EnumMap<>(Channel.Kind.class);
    private final Duration lease;
    private final Duration pollInterval;
    private final Duration initialBackoff;
    private final int maxAttempts;
    private final Semaphore inFlight = new Semaphore(BATCH);
    private volatile boolean running;
    private volatile Thread loop;
    private volatile ExecutorService sending;

    public AlertDispatcher(
            AlertOutbox outbox,
            ChannelRepository channels,
            SecretCipher cipher,
            AlertMetrics metrics,
            ScriptRepository scripts,
            RunService runs,
            JsonMapper json,
            Incidents incidents,
            @Value("${cronhook.egress.allow-private:}") String allowPrivate,
            @Value("${cronhook.alerts.lease:60s}") Duration lease,
            @Value("${cronhook.alerts.poll-interval:10s}") Duration pollInterval,
            @Value("${cronhook.alerts.timeout:10s}") Duration timeout,
            @Value("${cronhook.alerts.initial-backoff:2s}") Duration initialBackoff,
            @Value("${cronhook.alerts.max-attempts:10}") int maxAttempts) {
        this.outbox = outbox;
        this.channels = channels;
        this.cipher = cipher;
        this.metrics = metrics;
        this.lease = lease;
        this.pollInterval = pollInterval;
        this.initialBackoff = initialBackoff;
        this.maxAttempts = maxAttempts;
        var guard = PrivateAddressGuard.allowing(allowPrivate);
        var http = new HttpChannelSender(guard, timeout, json);
        senders.put(Channel.Kind.WEBHOOK, http);
        senders.put(Channel.Kind.SLACK, http);
        senders.put(Channel.Kind.EMAIL, new EmailChannelSender(guard, timeout, json));
        senders.put(Channel.Kind.SCRIPT, new ScriptChannelSender(scripts, runs, json));
        incidents.onAlertsWritten(this::wake);
        Gauge.builder("cronhook.alerts.pending", this, d -> d.backlog().pending())
                .description("alert deliveries not yet sent or given up")
                .register(metrics.registry());
        Gauge.builder("cronhook.alerts.oldest.pending.age", this, d -> {
                    var oldest = d.backlog().oldest();
                    return oldest == null
                            ? 0
                            : Duration.between(oldest, Instant.now()).toMillis() / 1000.0;
                })
                .description("seconds since the oldest pending alert delivery was written")
                .baseUnit("seconds")
                .register(metrics.registry());
    }

    /** Sends what is due now rather than at the next look. */
    public void wake() {
        var t = loop;
        if (t != null) LockSupport.unpark(t);
    }

    private AlertOutbox.Backlog backlog() {
        try {
            return outbox.backlog();
        } catch (RuntimeException e) {
            return new AlertOutbox.Backlog(0, null);
        }
    }

    @Override
    public void start() {
        running = true;
        sending = Executors.newVirtualThreadPerTaskExecutor();
        loop = Thread.ofPlatform().name("alert-dispatcher").daemon().start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        var t = loop;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        loop = null;
        // sends under way are abandoned, not awaited: their leases end and they are sent again
        sending.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        while (running) {
            try {
                // one query while nothing is due (an idle platform asks this once a poll interval); the claim only
                // when the database says a delivery is due, by its own clock
                var untilDue = outbox.untilNextDue();
                boolean due = untilDue != null && !untilDue.isPositive();
                int free = inFlight.availablePermits();
                var claimed = !due || free == 0 ? java.util.List.<AlertOutbox.Delivery>of() : outbox.claim(free, lease);
                for (var d : claimed) {
                    inFlight.acquireUninterruptibly();
                    sending.execute(() -> {
                        try {
                            deliver(d);
                        } finally {
                            inFlight.release();
                            // a delivery due while every sender was busy goes now, not at the next look
                            wake();
                        }
                    });
                }
                // what is due next is known only after the claim moved the leases: look again
                if (!claimed.isEmpty()) continue;
                long wait = pollInterval.toNanos();
                if (untilDue != null && untilDue.isPositive()) wait = Math.min(wait, untilDue.toNanos());
                LockSupport.parkNanos(wait);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                break;
            } catch (RuntimeException e) {
                if (!running) break;
                log.warn("alert dispatcher failed; trying again in a second: {}", e.toString());
                LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
            }
        }
    }

    void deliver(AlertOutbox.Delivery d) {
        int attempt = d.attempts();
        var channel = d.channelId() == null
                ? null
                : channels.findAnyOwner(d.channelId()).orElse(null);
        outbox.attemptStarted(d.id(), attempt);
        if (channel == null) {
            outbox.failed(d.id(), attempt, null, "the channel was deleted", null);
            return;
        }
        ChannelSender.Outcome outcome;
        try {
            String secret = channels.secret(channel.id())
                    .map(s -> cipher.open(s, ChannelService.secretContext(channel)))
                    .orElse(null);
            outcome = senders.get(channel.kind()).send(channel, secret, d, d.payload());
        } catch (RuntimeException e) {
            outcome = ChannelSender.Outcome.failed(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (!running && !outcome.sent()) {
            // stopped under it: left to the lease, not counted as the receiver's failure
            return;
        }
        if (outcome.sent()) {
            outbox.sent(d.id(), attempt, outcome.responseCode());
            metrics.alertSent(channel.kind());
            return;
        }
        boolean giveUp = outcome.permanent() || attempt >= maxAttempts;
        var retryAt = giveUp ? null : Instant.now().plus(backoff(attempt));
        outbox.failed(d.id(), attempt, outcome.responseCode(), outcome.error(), retryAt);
        metrics.alertFailed(channel.kind(), giveUp);
        log.info(
                "alert {} to channel {} failed (attempt {}): {}{}",
                d.id(),
                channel.id(),
                attempt,
                outcome.error(),
                giveUp ? "; given up" : "; next at " + retryAt);
    }

    /** 2 s, 4 s, 8 s, ... (with the default first delay) up to an hour. */
    Duration backoff(int attempt) {
        long factor = 1L << Math.min(attempt - 1, 20);
        var delay = initialBackoff.multipliedBy(factor);
        return delay.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : delay;
    }
}

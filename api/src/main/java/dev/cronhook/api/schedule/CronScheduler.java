package dev.cronhook.api.schedule;

import dev.cronhook.api.error.NoDeployedVersionException;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.script.CronSchedule;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.api.script.ScriptRepository.ScriptRow;
import dev.cronhook.core.run.TriggerKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fires cron schedules on time and never early. One loop per replica sleeps until the earliest entry of the
 * {@link DueSet} is due (looking again at least every poll interval), claims what is due, and for each schedule
 * moves its {@code next_fire_at} on in the database only where it still stands at the claimed tick (that
 * conditional update is what keeps two replicas from firing one tick twice), then launches the run.
 */
public class CronScheduler implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(CronScheduler.class);

    private final DueSet dueSet;
    private final DueSetReconciler reconciler;
    private final ScheduleRepository schedules;
    private final ScriptRepository scripts;
    private final RunService runs;
    private final JsonMapper json;
    private final SchedulerProperties properties;
    private final Clock clock;
    private final Semaphore launchPermits;
    private final ExecutorService launchers = Executors.newVirtualThreadPerTaskExecutor();
    private volatile Thread loop;
    private volatile boolean running;

    public CronScheduler(
            DueSet dueSet,
            DueSetReconciler reconciler,
            ScheduleRepository schedules,
            ScriptRepository scripts,
            RunService runs,
            JsonMapper json,
            SchedulerProperties properties,
            Clock clock) {
        this.dueSet = dueSet;
        this.reconciler = reconciler;
        this.schedules = schedules;
        this.scripts = scripts;
        this.runs = runs;
        this.json = json;
        this.properties = properties;
        this.clock = clock;
        this.launchPermits = new Semaphore(properties.launchConcurrency());
    }

    @Override
    public void start() {
        running = true;
        loop = Thread.ofPlatform().name("cron-scheduler").daemon().start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        var t = loop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        loop = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        try {
            // a restarted replica first makes sure every schedule is in the due-set, so downtime is caught up
            reconciler.reconcile();
        } catch (RuntimeException e) {
            log.warn("could not reconcile the due-set at start; the recurring job will: {}", e.toString());
        }
        long poll = properties.pollInterval().toNanos();
        while (running) {
            try {
                var now = clock.instant();
                var claim = dueSet.claim(now, properties.batchSize(), properties.claimLease());
                if (!claim.due().isEmpty()) fire(claim.due(), now);
                if (claim.due().size() == properties.batchSize()) continue;
                long wait = poll;
                if (claim.earliest() != null) {
                    long untilDue =
                            Duration.between(clock.instant(), claim.earliest()).toNanos();
                    wait = Math.min(poll, untilDue);
                }
                if (wait > 0) LockSupport.parkNanos(wait);
            } catch (RuntimeException e) {
                if (!running) break;
                log.warn("scheduler loop failed; trying again in a second: {}", e.toString());
                LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
            }
        }
    }

    /** Fires the claimed schedules that are due at {@code now} (by the database), puts the rest back. */
    void fire(List<DueSet.Due> claimed, Instant now) {
        var ids = claimed.stream().map(DueSet.Due::scriptId).toList();
        var rows = new HashMap<UUID, ScriptRow>();
        for (var row : scripts.findAnyOwner(ids)) rows.put(row.id(), row);

        var gone = new ArrayList<UUID>();
        var rearm = new HashMap<UUID, Instant>();
        var plans = new HashMap<UUID, TickPlan>();
        for (var id : ids) {
            var row = rows.get(id);
            if (row == null || row.schedule() == null || row.schedule().nextFireAt() == null) {
                gone.add(id);
                continue;
            }
            var dueAt = row.schedule().nextFireAt();
            if (dueAt.isAfter(now)) {
                // the entry was early or stale: the database says when
                rearm.put(id, dueAt);
                continue;
            }
            var cron =
                    CronSchedule.of(row.schedule().expression(), row.schedule().timezone());
            plans.put(
                    id,
                    TickPlan.of(
                            cron,
                            dueAt,
                            now,
                            row.schedule().catchUpPolicy(),
                            properties.lateTolerance(),
                            properties.catchUpGrace()));
        }
        skipOverlaps(plans, rows);

        var advances = new ArrayList<ScheduleRepository.Advance>(plans.size());
        plans.forEach((id, plan) -> advances.add(new ScheduleRepository.Advance(
                id, rows.get(id).schedule().nextFireAt(), plan.next(), plan.fire(), plan.missed())));
        Set<UUID> moved = schedules.advance(advances);

        var toLaunch = new ArrayList<Map.Entry<ScriptRow, TickPlan>>();
        plans.forEach((id, plan) -> {
            if (!moved.contains(id)) {
                // changed meanwhile (or fired by another replica): look again when the database says
                var next = scripts.nextFireAt(id);
                if (next == null) gone.add(id);
                else rearm.put(id, next);
                return;
            }
            if (plan.next() == null) gone.add(id);
            else rearm.put(id, plan.next());
            if (plan.fire() != null) toLaunch.add(Map.entry(rows.get(id), plan));
            if (plan.missed() > 1 || (plan.missed() == 1 && plan.fire() != null)) {
                log.info("schedule of {} missed {} tick(s) before {}", id, plan.missed(), now);
            }
        });
        if (!rearm.isEmpty()) dueSet.put(rearm);
        if (!gone.isEmpty()) dueSet.remove(gone);
        launch(toLaunch);
    }

    private void skipOverlaps(Map<UUID, TickPlan> plans, Map<UUID, ScriptRow> rows) {
        var skipping = plans.entrySet().stream()
                .filter(e -> e.getValue().fire() != null)
                .filter(e -> rows.get(e.getKey()).schedule().overlapPolicy().equals("skip"))
                .map(Map.Entry::getKey)
                .toList();
        for (var id : schedules.withActiveCronRun(skipping)) {
            plans.compute(id, (k, plan) -> plan.skipped());
            log.debug("tick of {} skipped: its previous cron run has not ended", id);
        }
    }

    private void launch(List<Map.Entry<ScriptRow, TickPlan>> toLaunch) {
        if (toLaunch.isEmpty()) return;
        var futures = new ArrayList<Future<?>>(toLaunch.size());
        for (var entry : toLaunch) {
            futures.add(launchers.submit(() -> {
                launchPermits.acquireUninterruptibly();
                try {
                    launchOne(entry.getKey(), entry.getValue());
                } finally {
                    launchPermits.release();
                }
            }));
        }
        for (var f : futures) {
            try {
                f.get();
            } catch (Exception e) {
                log.warn("a cron launch failed: {}", e.toString());
            }
        }
    }

    private void launchOne(ScriptRow script, TickPlan plan) {
        // never early, by this replica's wall clock
        long early = Duration.between(clock.instant(), plan.fire()).toNanos();
        if (early > 0) LockSupport.parkNanos(early);
        try {
            var event = json.createObjectNode();
            // a script may want to know that this run stands in for ticks that passed while no scheduler ran
            if (plan.catchUp()) event.put("catchUp", true);
            runs.launch(script, TriggerKind.CRON, event, plan.fire(), 1);
            if (plan.catchUp()) log.info("caught up the tick {} of {} after downtime", plan.fire(), script.id());
        } catch (NoDeployedVersionException e) {
            schedules.addMissed(script.id(), 1);
            log.info("tick {} of {} missed: no deployed version yet", plan.fire(), script.id());
        } catch (RuntimeException e) {
            schedules.addMissed(script.id(), 1);
            log.warn("tick {} of {} missed: the run could not be launched: {}", plan.fire(), script.id(), e.toString());
        }
    }
}

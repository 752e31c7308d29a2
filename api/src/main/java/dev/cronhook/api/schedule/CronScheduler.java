package dev.cronhook.api.schedule;

import dev.cronhook.api.error.NoDeployedVersionException;
import dev.cronhook.api.run.QueuedRunSweep;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.script.CronSchedule;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.api.script.ScriptRepository.ScriptRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fires cron schedules on time and never early. One loop per replica sleeps until the earliest entry of the
 * {@link DueSet} is nearly due (looking again at least every poll interval), claims what is due within the
 * lookahead, and for each schedule moves its {@code next_fire_at} on in the database only where it still stands
 * at the claimed tick (that conditional update is what keeps two replicas from firing one tick twice). Then it
 * waits for the wall clock to reach the tick, checks the overlap policy and launches the runs.
 *
 * <p>Between entries it sleeps until the earliest is nearly due, at most the poll interval; a schedule changed
 * anywhere ({@link ScheduleWakeups}) wakes it at once, so an idle scheduler costs almost nothing.
 *
 * <p>A tick is fired at most once. The move records the tick as pending until its runs are launched (or it is
 * counted missed or skipped); a replica that dies in that window (about the lookahead) leaves it pending, and the
 * due-set reconciliation counts it missed ({@link DueSetReconciler}).
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
    private volatile TickProblems problems = TickProblems.NONE;
    private volatile Thread loop;
    private volatile boolean running;
    private volatile ScheduleWakeups wakeups = ScheduleWakeups.NONE;
    private volatile AutoCloseable listening;
    private volatile QueuedRunSweep sweep;

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
    }

    /**
     * Where this replica hears of changed schedules: each wakes its loop at once, so that between changes it looks
     * at the due-set only when an entry is due or the poll interval has passed.
     */
    public void wakeUpOn(ScheduleWakeups wakeups) {
        this.wakeups = wakeups;
    }

    /** Looks at the due-set now (a schedule changed): an entry due sooner than the loop's next look is not missed. */
    public void wake() {
        var t = loop;
        if (t != null) LockSupport.unpark(t);
    }

    /**
     * The sweep of runs accepted but never queued, run once when this replica starts (on a thread of its own, so the
     * first ticks are not held up), as the due-set is reconciled then: a platform that was down finds what its
     * processes left behind without waiting for the recurring job.
     */
    public void sweepAtStart(QueuedRunSweep sweep) {
        this.sweep = sweep;
    }

    /** Who is told of missed, late and skipped ticks. */
    public void tellProblemsTo(TickProblems problems) {
        this.problems = problems;
    }

    @Override
    public void start() {
        running = true;
        loop = Thread.ofPlatform().name("cron-scheduler").daemon().start(this::run);
        var atStart = sweep;
        if (atStart != null) {
            Thread.ofVirtual().name("queued-run-sweep").start(() -> {
                try {
                    atStart.sweep();
                } catch (RuntimeException e) {
                    log.warn("could not sweep queued runs at start; the recurring job will: {}", e.toString());
                }
            });
        }
        try {
            listening = wakeups.listen(this::wake);
        } catch (RuntimeException e) {
            log.warn("cannot hear of schedule changes (each waits for the next look at the due-set): {}", e.toString());
        }
    }

    @Override
    public void stop() {
        running = false;
        var heard = listening;
        listening = null;
        if (heard != null) {
            try {
                heard.close();
            } catch (Exception e) {
                log.debug("closing the schedule-change subscription: {}", e.toString());
            }
        }
        var t = loop;
        if (t != null) {
            // woken, not interrupted: a batch in hand is launched to the end (an interrupted launch could leave a
            // queued request without its run); the loop then sees it should stop
            LockSupport.unpark(t);
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
                var claim =
                        dueSet.claim(now.plus(properties.lookahead()), properties.batchSize(), properties.claimLease());
                if (!claim.due().isEmpty()) {
                    fire(claim.due(), now);
                    // what was fired is due again later, and the claim's earliest did not know it: look again
                    continue;
                }
                long wait = poll;
                if (claim.earliest() != null) {
                    long untilDue = Duration.between(
                                    clock.instant(), claim.earliest().minus(properties.lookahead()))
                            .toNanos();
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

    /**
     * Fires the claimed schedules due by {@code now + lookahead} (by the database) and puts the rest back. The
     * database work is done ahead; each group of runs is launched once the wall clock has reached its tick.
     */
    void fire(List<DueSet.Due> claimed, Instant now) {
        var ids = claimed.stream().map(DueSet.Due::scriptId).toList();
        var rows = new HashMap<UUID, ScriptRow>();
        for (var row : scripts.findAnyOwner(ids)) rows.put(row.id(), row);

        var horizon = now.plus(properties.lookahead());
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
            if (dueAt.isAfter(horizon)) {
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
                            dueAt.isAfter(now) ? dueAt : now,
                            row.schedule().catchUpPolicy(),
                            properties.lateTolerance(),
                            properties.catchUpGrace()));
        }

        var advances = new ArrayList<ScheduleRepository.Advance>(plans.size());
        plans.forEach((id, plan) -> advances.add(new ScheduleRepository.Advance(
                id, rows.get(id).schedule().nextFireAt(), plan.next(), plan.fire(), plan.missed())));
        Set<UUID> moved = schedules.advance(advances);

        // looked up ahead, so the tick itself costs only the insert and the queueing
        var images = scripts.imageRefs(plans.keySet().stream()
                .filter(id -> rows.get(id).activeVersion() != null)
                .map(id -> Map.entry(id, rows.get(id).activeVersion()))
                .toList());
        var byTick = new TreeMap<Instant, List<ScriptRow>>();
        var catchUps = new HashSet<UUID>();
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
            if (plan.fire() != null) {
                byTick.computeIfAbsent(plan.fire(), t -> new ArrayList<>()).add(rows.get(id));
                if (plan.catchUp()) catchUps.add(id);
            }
            if (plan.missed() > 0) {
                log.info("schedule of {} missed {} tick(s) before {}", id, plan.missed(), now);
                tell(p -> p.missed(id, plan.missed()));
            }
        });
        if (!rearm.isEmpty()) dueSet.put(rearm);
        if (!gone.isEmpty()) dueSet.remove(gone);

        byTick.forEach((tick, group) -> {
            // never early, by this replica's wall clock
            for (long early; (early = Duration.between(clock.instant(), tick).toNanos()) > 0; ) {
                LockSupport.parkNanos(early);
            }
            var paused = new HashSet<UUID>();
            for (var row : group) if (row.paused()) paused.add(row.id());
            var skipped = overlapping(group.stream().filter(r -> !r.paused()).toList());
            launch(
                    tick,
                    group.stream()
                            .filter(r -> !skipped.contains(r.id()) && !paused.contains(r.id()))
                            .toList(),
                    catchUps,
                    images);
            for (var id : paused) {
                // the tick was recorded as fired ahead: it was skipped, the script being paused
                schedules.skippedWhilePaused(id, rows.get(id).schedule().lastFiredAt());
                log.debug("tick {} of {} skipped: the script is paused", tick, id);
            }
            for (var row : group) {
                if (!skipped.contains(row.id())) continue;
                // the tick was recorded as fired ahead: it was not, it is missed
                schedules.skipped(row.id(), row.schedule().lastFiredAt());
                tell(p -> p.overlapSkipped(row.id(), tick));
                log.debug("tick {} of {} skipped: its previous cron run has not ended", tick, row.id());
            }
            // launched, or counted: a scheduler dying before this leaves the tick pending for the reconciliation
            settle(group.stream().map(ScriptRow::id).toList(), tick);
        });
    }

    private void settle(List<UUID> ids, Instant tick) {
        try {
            schedules.settled(ids, tick);
        } catch (RuntimeException e) {
            // left pending: the reconciliation finds the runs and only clears it
            log.warn("could not mark tick {} of {} script(s) settled: {}", tick, ids.size(), e.toString());
        }
    }

    /** Tells of a tick problem; a failure to tell never stops the scheduler. */
    private void tell(java.util.function.Consumer<TickProblems> what) {
        try {
            what.accept(problems);
        } catch (RuntimeException e) {
            log.warn("could not record a tick problem for alerting: {}", e.toString());
        }
    }

    /** Of these scripts, those whose overlap policy is skip and whose previous cron run has not ended. */
    private Set<UUID> overlapping(List<ScriptRow> group) {
        var skipping = group.stream()
                .filter(r -> r.schedule().overlapPolicy().equals("skip"))
                .map(ScriptRow::id)
                .toList();
        return schedules.withActiveCronRun(skipping);
    }

    /** Launches one tick's runs together (one insert, concurrent queueing); a tick that fails is counted missed. */
    private void launch(
            Instant tick, List<ScriptRow> group, Set<UUID> catchUps, Map<Map.Entry<UUID, Integer>, String> images) {
        if (group.isEmpty()) return;
        var launches = new ArrayList<RunService.Launch>(group.size());
        for (var script : group) {
            var event = json.createObjectNode();
            // a script may want to know that this run stands in for ticks that passed while no scheduler ran
            if (catchUps.contains(script.id())) event.put("catchUp", true);
            var image =
                    script.activeVersion() == null ? null : images.get(Map.entry(script.id(), script.activeVersion()));
            launches.add(RunService.Launch.cron(script, event, tick, image));
        }
        List<RunService.Outcome> outcomes;
        try {
            outcomes = runs.launchAll(launches);
        } catch (RuntimeException e) {
            log.warn("{} runs of tick {} missed: they could not be launched: {}", group.size(), tick, e.toString());
            for (var script : group) {
                schedules.addMissed(script.id(), 1);
                tell(p -> p.missed(script.id(), 1));
            }
            return;
        }
        for (var outcome : outcomes) {
            var id = outcome.launch().script().id();
            if (outcome.failure() == null) {
                var lateness = Duration.between(tick, clock.instant());
                tell(p -> p.fired(id, tick, lateness));
                if (catchUps.contains(id)) log.info("caught up the tick {} of {} after downtime", tick, id);
                continue;
            }
            schedules.addMissed(id, 1);
            if (!(outcome.failure() instanceof NoDeployedVersionException)) tell(p -> p.missed(id, 1));
            if (outcome.failure() instanceof NoDeployedVersionException) {
                log.debug("tick {} of {} missed: no deployed version yet", tick, id);
            } else {
                log.warn(
                        "tick {} of {} missed: the run could not be launched: {}",
                        tick,
                        id,
                        outcome.failure().toString());
            }
        }
    }
}

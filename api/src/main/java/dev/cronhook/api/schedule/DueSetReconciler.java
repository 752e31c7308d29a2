package dev.cronhook.api.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the due-set in step with {@code schedules}: adds missing entries, lowers entries later than the database
 * says, drops entries of schedules that are gone; and settles ticks a dead scheduler left pending longer than the
 * grace (counted missed, or only cleared when their run exists). Safe to run at any time on any replica: the
 * database stays the judge of what fires.
 */
public class DueSetReconciler {
    private static final Logger log = LoggerFactory.getLogger(DueSetReconciler.class);

    private final DueSet dueSet;
    private final ScheduleRepository schedules;
    private final Clock clock;
    private final Duration pendingGrace;

    /**
     * {@code pendingGrace}: how long a tick may stay pending before it counts as abandoned (longer than any live
     * scheduler takes from moving a schedule on to launching its runs).
     */
    public DueSetReconciler(DueSet dueSet, ScheduleRepository schedules, Clock clock, Duration pendingGrace) {
        this.dueSet = dueSet;
        this.schedules = schedules;
        this.clock = clock;
        this.pendingGrace = pendingGrace;
    }

    public void reconcile() {
        var abandoned = schedules.settleAbandoned(clock.instant().minus(pendingGrace));
        if (!abandoned.isEmpty()) {
            log.warn(
                    "{} tick(s) left pending by a scheduler that stopped before launching them: counted missed ({})",
                    abandoned.size(),
                    abandoned);
        }
        // the due-set is read first: an entry added after it was read is not in it, so it cannot be dropped
        var entries = dueSet.all();
        var wanted = schedules.nextFireTimes();
        var fix = new HashMap<UUID, Instant>();
        wanted.forEach((id, next) -> {
            var have = entries.get(id);
            if (have == null || have.isAfter(next)) fix.put(id, next);
        });
        var stale =
                entries.keySet().stream().filter(id -> !wanted.containsKey(id)).toList();
        if (!fix.isEmpty()) dueSet.putIfEarlier(fix);
        if (!stale.isEmpty()) dueSet.remove(stale);
        if (!fix.isEmpty() || !stale.isEmpty()) {
            log.info("due-set reconciled: {} entries added or moved, {} stale removed", fix.size(), stale.size());
        }
    }
}

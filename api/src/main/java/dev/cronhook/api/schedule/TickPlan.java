package dev.cronhook.api.schedule;

import dev.cronhook.api.script.CronSchedule;
import java.time.Duration;
import java.time.Instant;

/**
 * What to do with a schedule whose next fire time has come: the tick to fire (null for none), whether that is a
 * catch-up after downtime, how many ticks get no run, and the next fire time after now.
 *
 * <p>At most one run fires per claim. The latest due tick fires if it is at most {@code lateTolerance} late; an
 * older one (the scheduler was down) fires only with catch-up policy {@code run-once} and within
 * {@code catchUpGrace}. Every other due tick is counted as missed, never dropped silently.
 */
record TickPlan(Instant fire, boolean catchUp, int missed, Instant next) {
    /** Ticks are counted one by one up to this many; beyond it only the ticks of the last grace window are. */
    static final int MAX_COUNTED = 10_000;

    static TickPlan of(
            CronSchedule cron,
            Instant due,
            Instant now,
            String catchUpPolicy,
            Duration lateTolerance,
            Duration catchUpGrace) {
        if (due.isAfter(now)) return new TickPlan(null, false, 0, due);
        Instant latest = due;
        int count = 1;
        Instant next = cron.nextAfter(due);
        while (next != null && !next.isAfter(now)) {
            latest = next;
            count++;
            next = cron.nextAfter(latest);
            if (count == MAX_COUNTED && next != null) {
                // a long outage of a frequent schedule: jump to the last grace window and count on from there
                var jump = cron.nextAfter(now.minus(catchUpGrace).minus(lateTolerance));
                if (jump != null && jump.isAfter(next)) next = jump;
            }
        }
        Duration late = Duration.between(latest, now);
        if (late.compareTo(lateTolerance) <= 0) return new TickPlan(latest, false, count - 1, next);
        if (catchUpPolicy.equals("run-once") && late.compareTo(catchUpGrace) <= 0) {
            return new TickPlan(latest, true, count - 1, next);
        }
        return new TickPlan(null, false, count, next);
    }

    /** The same plan with its tick not fired (the overlap policy said skip): that tick is missed too. */
    TickPlan skipped() {
        return fire == null ? this : new TickPlan(null, false, missed + 1, next);
    }
}

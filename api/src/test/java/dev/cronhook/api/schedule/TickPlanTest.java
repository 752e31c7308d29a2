package dev.cronhook.api.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.api.script.CronSchedule;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TickPlanTest {
    private static final CronSchedule EVERY_MINUTE = CronSchedule.of("* * * * *", "Europe/Berlin");
    private static final Duration TOLERANCE = Duration.ofSeconds(30);
    private static final Duration GRACE = Duration.ofHours(1);
    private static final Instant TEN = Instant.parse("2026-05-04T10:00:00Z");

    @Test
    void aTickThatIsDueNowFiresWithNothingMissed() {
        var plan = TickPlan.of(EVERY_MINUTE, TEN, TEN.plusMillis(3), "run-once", TOLERANCE, GRACE);
        assertThat(plan).isEqualTo(new TickPlan(TEN, false, 0, TEN.plusSeconds(60)));
    }

    @Test
    void aTickThatIsNotDueYetDoesNotFire() {
        var plan = TickPlan.of(EVERY_MINUTE, TEN, TEN.minusMillis(1), "run-once", TOLERANCE, GRACE);
        assertThat(plan.fire()).isNull();
        assertThat(plan.missed()).isZero();
        assertThat(plan.next()).isEqualTo(TEN);
    }

    @Test
    void afterDowntimeRunOnceFiresTheLatestMissedTickAndCountsTheOthers() {
        // down from 10:00 to 10:05:40: ticks 10:00 .. 10:05 are due, 10:05 is 40 s late
        var plan = TickPlan.of(EVERY_MINUTE, TEN, TEN.plusSeconds(340), "run-once", TOLERANCE, GRACE);
        assertThat(plan).isEqualTo(new TickPlan(TEN.plusSeconds(300), true, 5, TEN.plusSeconds(360)));
    }

    @Test
    void afterDowntimeSkipFiresNothingAndCountsEveryTick() {
        var plan = TickPlan.of(EVERY_MINUTE, TEN, TEN.plusSeconds(340), "skip", TOLERANCE, GRACE);
        assertThat(plan).isEqualTo(new TickPlan(null, false, 6, TEN.plusSeconds(360)));
    }

    @Test
    void theLatestTickFiresWhenItIsStillOnTimeWhateverThePolicy() {
        var plan = TickPlan.of(EVERY_MINUTE, TEN, TEN.plusSeconds(130), "skip", TOLERANCE, GRACE);
        assertThat(plan).isEqualTo(new TickPlan(TEN.plusSeconds(120), false, 2, TEN.plusSeconds(180)));
    }

    @Test
    void aTickOlderThanTheGraceWindowIsMissedEvenWithRunOnce() {
        var daily = CronSchedule.of("0 9 * * *", "UTC");
        var nine = Instant.parse("2026-05-04T09:00:00Z");
        var plan = TickPlan.of(daily, nine, nine.plus(Duration.ofHours(3)), "run-once", TOLERANCE, GRACE);
        assertThat(plan).isEqualTo(new TickPlan(null, false, 1, nine.plus(Duration.ofDays(1))));
    }

    @Test
    void aLongOutageOfAPerSecondScheduleIsCountedWithoutWalkingEveryTick() {
        var everySecond = CronSchedule.of("* * * * * *", "UTC");
        var now = TEN.plus(Duration.ofDays(7)).plusMillis(200);
        var plan = TickPlan.of(everySecond, TEN, now, "run-once", TOLERANCE, GRACE);
        assertThat(plan.fire()).isEqualTo(TEN.plus(Duration.ofDays(7)));
        assertThat(plan.missed()).isGreaterThanOrEqualTo(TickPlan.MAX_COUNTED);
        assertThat(plan.next()).isEqualTo(TEN.plus(Duration.ofDays(7)).plusSeconds(1));
    }

    @Test
    void aSkippedTickCountsAsMissed() {
        var plan = TickPlan.of(EVERY_MINUTE, TEN, TEN.plusMillis(3), "run-once", TOLERANCE, GRACE)
                .skipped();
        assertThat(plan).isEqualTo(new TickPlan(null, false, 1, TEN.plusSeconds(60)));
    }
}

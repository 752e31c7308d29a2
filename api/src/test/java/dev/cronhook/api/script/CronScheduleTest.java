package dev.cronhook.api.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static List<Instant> ticksOn(CronSchedule schedule, String day) {
        var date = LocalDate.parse(day);
        var start = date.atStartOfDay(BERLIN).toInstant().minusNanos(1);
        var end = date.plusDays(1).atStartOfDay(BERLIN).toInstant();
        return schedule.next(100, start).stream().filter(t -> t.isBefore(end)).toList();
    }

    @Test
    void aFiveFieldExpressionFiresOnTheMinuteInItsZone() {
        var schedule = CronSchedule.of("0 9 * * 1-5", "Europe/Berlin");
        // Friday 2026-01-02 09:00 CET is 08:00 UTC; the next is Monday the 5th
        assertThat(schedule.next(2, Instant.parse("2026-01-02T07:00:00Z")))
                .containsExactly(Instant.parse("2026-01-02T08:00:00Z"), Instant.parse("2026-01-05T08:00:00Z"));
    }

    @Test
    void aSixFieldExpressionFiresOnTheSecond() {
        var schedule = CronSchedule.of("*/15 * * * * *", "Asia/Kathmandu");
        assertThat(schedule.next(3, Instant.parse("2026-01-02T07:00:01.500Z")))
                .containsExactly(
                        Instant.parse("2026-01-02T07:00:15Z"),
                        Instant.parse("2026-01-02T07:00:30Z"),
                        Instant.parse("2026-01-02T07:00:45Z"));
    }

    @Test
    void aHalfHourOffsetZoneShiftsTheFireTimeByItsOffset() {
        var schedule = CronSchedule.of("0 0 * * *", "Asia/Kolkata");
        assertThat(schedule.nextAfter(Instant.parse("2026-06-01T00:00:00Z")))
                .isEqualTo(Instant.parse("2026-06-01T18:30:00Z"));
    }

    @Test
    void aDailyJobInTheSkippedHourStillFiresOnTheSpringForwardDay() {
        var schedule = CronSchedule.of("30 2 * * *", "Europe/Berlin");
        // 2026-03-29 02:00 CET jumps to 03:00 CEST: 02:30 does not exist and fires an hour of the gap later
        assertThat(ticksOn(schedule, "2026-03-29")).containsExactly(Instant.parse("2026-03-29T01:30:00Z"));
        assertThat(ticksOn(schedule, "2026-03-30")).containsExactly(Instant.parse("2026-03-30T00:30:00Z"));
    }

    @Test
    void anHourlyJobFiresTwentyThreeTimesOnTheSpringForwardDayAnHourApart() {
        var ticks = ticksOn(CronSchedule.of("0 * * * *", "Europe/Berlin"), "2026-03-29");
        assertThat(ticks).hasSize(23);
        assertThat(ticks.get(0)).isEqualTo(Instant.parse("2026-03-28T23:00:00Z"));
        assertThat(ticks.get(1)).isEqualTo(Instant.parse("2026-03-29T00:00:00Z"));
        assertThat(ticks.get(2)).as("03:00 CEST follows 01:00 CET").isEqualTo(Instant.parse("2026-03-29T01:00:00Z"));
    }

    @Test
    void aDailyJobInTheRepeatedHourFiresOnceOnTheFallBackDay() {
        var schedule = CronSchedule.of("30 2 * * *", "Europe/Berlin");
        // 2026-10-25 03:00 CEST falls back to 02:00 CET: 02:30 happens twice and fires at the first
        assertThat(ticksOn(schedule, "2026-10-25")).containsExactly(Instant.parse("2026-10-25T00:30:00Z"));
        assertThat(schedule.nextAfter(Instant.parse("2026-10-25T01:10:00Z")))
                .as("from inside the repeated hour, the next is tomorrow's")
                .isEqualTo(Instant.parse("2026-10-26T01:30:00Z"));
    }

    @Test
    void anHourlyJobFiresTwentyFiveTimesOnTheFallBackDay() {
        var ticks = ticksOn(CronSchedule.of("0 * * * *", "Europe/Berlin"), "2026-10-25");
        assertThat(ticks).hasSize(25);
        assertThat(ticks)
                .as("02:00 CEST and 02:00 CET")
                .contains(Instant.parse("2026-10-25T00:00:00Z"), Instant.parse("2026-10-25T01:00:00Z"));
    }

    @Test
    void aSecondLevelJobKeepsFiringEverySecondThroughTheFallBack() {
        var schedule = CronSchedule.of("* * * * * *", "Europe/Berlin");
        var ticks = schedule.next(3, Instant.parse("2026-10-25T00:59:58Z"));
        assertThat(ticks)
                .containsExactly(
                        Instant.parse("2026-10-25T00:59:59Z"),
                        Instant.parse("2026-10-25T01:00:00Z"),
                        Instant.parse("2026-10-25T01:00:01Z"));
    }

    private static String problem(String expression) {
        var v = new dev.cronhook.core.validation.Violations();
        CronSchedule.parse(expression, "UTC", "cron", v);
        return v.list().getFirst().message();
    }

    @Test
    void anInvalidExpressionIsExplainedWithTheUsersOwnExpressionAndTheFieldsPlainName() {
        assertThat(problem("61 * * * *"))
                .isEqualTo(
                        "\"61 * * * *\" is not a valid cron expression: the minute field '61' is out of range (0-59)");
        assertThat(problem("0 9 * * 8"))
                .isEqualTo("\"0 9 * * 8\" is not a valid cron expression:"
                        + " the day-of-week field '8' is out of range (0-7 or SUN-SAT)");
        assertThat(problem("*/0 * * * *")).contains("the minute field '*/0' has a step of 0");
        assertThat(problem("0 17-9 * * *")).contains("the hour field '17-9' is a range that runs backwards");
        assertThat(problem("0 x * * *")).contains("the hour field 'x' is not a number");
        assertThat(problem("0 0 * 13 *")).contains("the month field '13' is out of range (1-12 or JAN-DEC)");
        for (String bad : List.of("61 * * * *", "0 x * * *", "0 0 * 13 *", "0 9 * * MON-FOO")) {
            assertThat(problem(bad)).doesNotContain("MinuteOfHour", "6 fields", "in cron expression \"0 ");
        }
    }
}

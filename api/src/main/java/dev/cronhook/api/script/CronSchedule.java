package dev.cronhook.api.script;

import dev.cronhook.core.validation.Violations;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.scheduling.support.CronExpression;

/**
 * A cron schedule: a 5-field (minute) or 6-field (second) expression in an IANA time zone. Fire times are
 * computed in that zone, so they follow its daylight-saving changes.
 */
public record CronSchedule(String expression, ZoneId zone, CronExpression cron) {
    private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();

    /** Parses and validates; every problem goes into {@code v} under {@code field}. Returns null if invalid. */
    public static CronSchedule parse(String expression, String timezone, String field, Violations v) {
        CronExpression cron = null;
        if (expression == null || expression.isBlank()) {
            v.add(field + ".expression", "is required");
        } else {
            String normalized = expression.trim().replaceAll("\\s+", " ");
            int fields = normalized.split(" ").length;
            if (fields != 5 && fields != 6) {
                v.add(
                        field + ".expression",
                        "must have 5 fields (minute hour day-of-month month day-of-week) or 6 (with seconds first);"
                                + " it has " + fields);
            } else {
                try {
                    cron = CronExpression.parse(fields == 5 ? "0 " + normalized : normalized);
                    expression = normalized;
                } catch (IllegalArgumentException e) {
                    v.add(
                            field + ".expression",
                            "\"" + normalized + "\" is not a valid cron expression: " + reason(normalized, e));
                }
            }
        }
        ZoneId zone = null;
        if (timezone == null || timezone.isBlank()) {
            v.add(field + ".timezone", "is required (an IANA time zone such as Europe/Berlin or UTC)");
        } else if (!ZONES.contains(timezone) && !timezone.equals("UTC")) {
            v.add(field + ".timezone", "'" + timezone + "' is not an IANA time zone (e.g. Europe/Berlin, UTC)");
        } else {
            try {
                zone = ZoneId.of(timezone);
            } catch (DateTimeException e) {
                v.add(field + ".timezone", "'" + timezone + "' is not a known time zone");
            }
        }
        if (cron != null && zone != null && cron.next(ZonedDateTime.now(zone)) == null) {
            v.add(field + ".expression", "never fires");
            return null;
        }
        return cron == null || zone == null ? null : new CronSchedule(expression, zone, cron);
    }

    private static final String[] FIVE = {"minute", "hour", "day-of-month", "month", "day-of-week"};
    private static final String[] SIX = {"second", "minute", "hour", "day-of-month", "month", "day-of-week"};
    private static final Map<String, String> RANGES = Map.of(
            "second", "0-59",
            "minute", "0-59",
            "hour", "0-23",
            "day-of-month", "1-31",
            "month", "1-12 or JAN-DEC",
            "day-of-week", "0-7 or SUN-SAT");
    private static final Map<String, String> SPRING_NAMES = Map.of(
            "SecondOfMinute", "second",
            "MinuteOfHour", "minute",
            "HourOfDay", "hour",
            "DayOfMonth", "day-of-month",
            "MonthOfYear", "month",
            "DayOfWeek", "day-of-week");
    private static final Pattern QUOTED = Pattern.compile("'([^']*)' in cron expression");
    private static final Pattern INVALID_VALUE = Pattern.compile("Invalid value for (\\w+)");

    /** Why the parser refused the expression, in the user's terms: the field by its name and its value as written. */
    static String reason(String expression, IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        String[] fields = expression.split(" ");
        String[] names = fields.length == 5 ? FIVE : SIX;
        var quoted = QUOTED.matcher(message);
        String token = quoted.find() ? quoted.group(1) : null;
        String name = null;
        if (token != null) {
            for (int i = 0; i < fields.length; i++) if (fields[i].equals(token)) name = names[i];
        }
        var invalid = INVALID_VALUE.matcher(message);
        if (invalid.find() && SPRING_NAMES.containsKey(invalid.group(1))) name = SPRING_NAMES.get(invalid.group(1));
        String where = name == null ? "a field" : "the " + name + " field";
        String value = token == null ? "" : " '" + token + "'";
        if (message.startsWith("Invalid value") && name != null) {
            return where + value + " is out of range (" + RANGES.get(name) + ")";
        }
        if (message.startsWith("Incrementer delta"))
            return where + value + " has a step of 0; a step must be 1 or more";
        if (message.startsWith("Minimum value must be less")) {
            return where + value + " is a range that runs backwards; write the smaller value first";
        }
        return where + value + " is not a number, a name, *, a range (1-5), a list (1,3) or a step (*/5)";
    }

    public static CronSchedule of(String expression, String timezone) {
        var v = new Violations();
        var schedule = parse(expression, timezone, "cron", v);
        v.throwIfAny();
        return schedule;
    }

    /**
     * The first fire time strictly after {@code after}, or null if there is none. Across daylight-saving changes
     * a schedule with a fixed hour fires once per matching wall-clock time (as cron does): a time the clocks skip
     * fires as much later as the gap is long (02:30 becomes 03:30), a time that occurs twice fires at its first
     * occurrence. A schedule whose hour field is a wildcard ({@code *}, {@code *}{@code /2}) follows elapsed time,
     * so it fires in both repeated hours and an hourly job is never held back an hour.
     */
    public Instant nextAfter(Instant after) {
        if (followsElapsedTime()) {
            var next = cron.next(after.atZone(zone));
            return next == null ? null : next.toInstant();
        }
        var local = after.atZone(zone).toLocalDateTime();
        // bounded: a wall-clock time is passed over at most once per repeated hour
        for (int i = 0; i < 4; i++) {
            LocalDateTime next = cron.next(local);
            if (next == null) return null;
            // ZonedDateTime.of shifts a time in a gap forward by the gap, and picks the earlier offset in an overlap
            var at = ZonedDateTime.of(next, zone).toInstant();
            if (at.isAfter(after)) return at;
            local = next;
        }
        return null;
    }

    private boolean followsElapsedTime() {
        String[] fields = expression.split(" ");
        String hour = fields.length == 5 ? fields[1] : fields[2];
        return hour.startsWith("*");
    }

    public List<Instant> next(int count, Instant after) {
        var out = new ArrayList<Instant>(count);
        var t = after;
        for (int i = 0; i < count; i++) {
            t = nextAfter(t);
            if (t == null) break;
            out.add(t);
        }
        return out;
    }
}

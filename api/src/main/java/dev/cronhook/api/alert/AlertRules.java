package dev.cronhook.api.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cronhook.core.validation.Violations;
import java.util.List;
import java.util.UUID;

/**
 * When a script's incident alerts, and where. {@code consecutiveFailures}: the failed runs in a row (after their
 * retries) that make the first alert of an incident; {@code lateTickSeconds}: how late a cron tick may start before
 * it counts (null: never); {@code pauseAfterConsecutiveFailures}: the failed runs in a row after which the script
 * pauses itself (null: never); {@code channels}: the channels to alert (null: all of the user's and the script's).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertRules(
        boolean failed,
        int consecutiveFailures,
        boolean recovered,
        boolean missedTick,
        Integer lateTickSeconds,
        boolean overlapSkip,
        boolean buildFailed,
        boolean secretsUnavailable,
        Integer pauseAfterConsecutiveFailures,
        List<UUID> channels) {

    /** The rules of a script that set none: every failure alerts once per incident, and its recovery. */
    public static final AlertRules DEFAULTS = new AlertRules(true, 1, true, true, 60, false, true, true, null, null);

    /** A PUT body: omitted fields take their defaults. */
    public record Request(
            Boolean failed,
            Integer consecutiveFailures,
            Boolean recovered,
            Boolean missedTick,
            Integer lateTickSeconds,
            Boolean overlapSkip,
            Boolean buildFailed,
            Boolean secretsUnavailable,
            Integer pauseAfterConsecutiveFailures,
            List<UUID> channels) {}

    public static AlertRules validate(Request r) {
        var v = new Violations();
        if (r == null) v.add("body", "is required").throwIfAny();
        var d = DEFAULTS;
        int consecutive = r.consecutiveFailures() == null ? d.consecutiveFailures() : r.consecutiveFailures();
        if (consecutive < 1 || consecutive > 1000) v.add("consecutiveFailures", "must be between 1 and 1000");
        // omitted: the default; 0: never
        Integer late = r.lateTickSeconds() == null ? d.lateTickSeconds() : r.lateTickSeconds();
        if (late != null && (late < 0 || late > 86_400)) {
            v.add("lateTickSeconds", "must be between 1 and 86400, or 0 for never");
        }
        if (late != null && late == 0) late = null;
        var pause = r.pauseAfterConsecutiveFailures();
        if (pause != null && (pause < 1 || pause > 1000)) {
            v.add("pauseAfterConsecutiveFailures", "must be between 1 and 1000, or null for never");
        }
        if (r.channels() != null) {
            if (r.channels().size() > 50) v.add("channels", "must list at most 50 channels");
            if (r.channels().stream().anyMatch(java.util.Objects::isNull)) v.add("channels", "must not hold null");
        }
        v.throwIfAny();
        return new AlertRules(
                r.failed() == null ? d.failed() : r.failed(),
                consecutive,
                r.recovered() == null ? d.recovered() : r.recovered(),
                r.missedTick() == null ? d.missedTick() : r.missedTick(),
                late,
                r.overlapSkip() == null ? d.overlapSkip() : r.overlapSkip(),
                r.buildFailed() == null ? d.buildFailed() : r.buildFailed(),
                r.secretsUnavailable() == null ? d.secretsUnavailable() : r.secretsUnavailable(),
                pause,
                r.channels() == null ? null : List.copyOf(new java.util.LinkedHashSet<>(r.channels())));
    }

    /** Whether this kind of signal alerts at all under these rules. */
    boolean alertsOn(Signal signal) {
        return switch (signal) {
            case RUN_FAILED, RUN_TIMED_OUT -> failed;
            case SECRETS_UNAVAILABLE -> secretsUnavailable;
            case TICK_MISSED -> missedTick;
            case TICK_LATE -> lateTickSeconds != null;
            case OVERLAP_SKIPPED -> overlapSkip;
            case BUILD_FAILED -> buildFailed;
        };
    }
}

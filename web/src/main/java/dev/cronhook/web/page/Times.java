package dev.cronhook.web.page;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How pages show times and durations: UTC timestamps, times in a zone, and short durations. */
public final class Times {
    private static final DateTimeFormatter UTC =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ZONED = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm:ss");

    public String format(Instant t) {
        return t == null ? "" : UTC.format(t);
    }

    public String iso(Instant t) {
        return t == null ? "" : t.toString();
    }

    public String inZone(Instant t, String zone) {
        if (t == null) return "";
        try {
            return ZONED.format(t.atZone(ZoneId.of(zone))) + " " + zone;
        } catch (RuntimeException e) {
            return format(t);
        }
    }

    public String ago(Instant t) {
        if (t == null) return "";
        var d = Duration.between(t, Instant.now());
        boolean future = d.isNegative();
        d = d.abs();
        String amount;
        if (d.toSeconds() < 60) amount = d.toSeconds() + " s";
        else if (d.toMinutes() < 60) amount = d.toMinutes() + " min";
        else if (d.toHours() < 48) amount = d.toHours() + " h";
        else amount = d.toDays() + " days";
        return future ? "in " + amount : amount + " ago";
    }

    public String duration(Long millis) {
        if (millis == null) return "";
        if (millis < 1000) return millis + " ms";
        if (millis < 60_000) return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        return (millis / 60_000) + " min " + (millis % 60_000) / 1000 + " s";
    }
}

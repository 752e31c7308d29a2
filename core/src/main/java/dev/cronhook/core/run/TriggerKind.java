package dev.cronhook.core.run;

import java.util.Locale;

/** What started a run; the wire name is what a script sees as {@code event.trigger}. */
public enum TriggerKind {
    WEBHOOK,
    CRON,
    MANUAL,
    TRY_OUT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static TriggerKind fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}

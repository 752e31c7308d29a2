package dev.cronhook.api.tryout;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.tryout.TryOutEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * What one caller has heard of a try-out so far, event by event, and the answer it makes. A worker that takes a
 * try-out over from one that died starts it again, so its {@code started} event clears what came before.
 */
final class TryOutTranscript {
    private final List<LogLine> logs = new ArrayList<>();
    private final List<String> installLog = new ArrayList<>();
    private TryOutEvent.Finished finished;
    private TryOutEvent.Failed failed;

    TryOutTranscript add(TryOutEvent event) {
        switch (event) {
            case TryOutEvent.Started s -> {
                if (s.attempt() > 1) {
                    logs.clear();
                    installLog.clear();
                }
            }
            case TryOutEvent.Install i -> installLog.add(i.text());
            case TryOutEvent.Log l -> logs.add(new LogLine(l.time(), l.stream(), l.text()));
            case TryOutEvent.Finished f -> finished = f;
            case TryOutEvent.Failed f -> failed = f;
        }
        return this;
    }

    /** The failure that ended the try-out, or null. */
    TryOutEvent.Failed failed() {
        return failed;
    }

    /** The answer once the try-out has finished; null before. */
    TryOutAnswer answer() {
        if (finished == null) return null;
        return new TryOutAnswer(
                finished.status(),
                finished.resultJson(),
                finished.reply(),
                finished.error(),
                List.copyOf(logs),
                List.copyOf(installLog),
                finished.installMs(),
                finished.runMs(),
                finished.durationMs());
    }
}

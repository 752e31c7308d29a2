package dev.cronhook.api.log;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.error.RunNotFoundException;
import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunView;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.log.LogStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A run's log lines, for the API and the pages: all of them, or live as server-sent events until the run ends. */
@Service
public class RunLogs {
    /** A run's log as JSON. */
    public record RunLog(UUID runId, String status, List<LogLine> lines) {}

    private final RunRepository runs;
    private final LiveLog live;
    private final LogStore store;

    public RunLogs(RunRepository runs, LiveLog live, LogStore store) {
        this.runs = runs;
        this.live = live;
        this.store = store;
    }

    public Mono<RunLog> logs(CurrentUser user, UUID id) {
        return Blocking.call(() -> {
            var run = runs.find(user.id(), id).orElseThrow(() -> new RunNotFoundException(id));
            return new RunLog(id, run.status().name(), lines(run));
        });
    }

    private List<LogLine> lines(RunView run) {
        var current = LiveLog.lines(live.snapshot(LiveLog.Source.run(run.id())));
        if (run.status().isFinal()) {
            // the store gets a finished run's lines in batches: while the archiver is at it, the live copy has more
            var stored = store.read(LogArchiver.runLogId(run.id()));
            if (stored.size() >= current.size()) return stored;
        }
        return current;
    }

    public Flux<ServerSentEvent<Object>> stream(CurrentUser user, UUID id) {
        return Blocking.call(() -> runs.find(user.id(), id).orElseThrow(() -> new RunNotFoundException(id)))
                .flatMapMany(run -> {
                    if (run.status().isFinal()
                            && live.snapshot(LiveLog.Source.run(id)).isEmpty()) {
                        // the live stream has expired: replay what the store kept, then end
                        return Blocking.call(() -> store.read(LogArchiver.runLogId(id)))
                                .flatMapMany(Flux::fromIterable)
                                .map(RunLogs::lineEvent)
                                .concatWith(Mono.just(endEvent(run.status().name())));
                    }
                    // the final run, when its status (not an end entry) is what ended the follow
                    var endedBy = new AtomicReference<RunView>();
                    return live.follow(LiveLog.Source.run(id), Duration.ofSeconds(5), () -> {
                                var found = runs.find(user.id(), id);
                                found.filter(r -> r.status().isFinal()).ifPresent(endedBy::set);
                                return found.map(r -> !r.status().isFinal()).orElse(false);
                            })
                            .map(e -> e.end() != null ? endEvent(e.end()) : lineEvent(e.line()))
                            // a run that printed nothing has no live log to carry its end: its status does
                            .concatWith(Mono.fromSupplier(endedBy::get)
                                    .map(r -> endEvent(r.status().name())));
                });
    }

    static ServerSentEvent<Object> lineEvent(LogLine line) {
        return ServerSentEvent.builder()
                .event("line")
                .data(Map.of("time", line.time().toString(), "stream", line.stream(), "text", line.text()))
                .build();
    }

    static ServerSentEvent<Object> endEvent(String status) {
        return ServerSentEvent.builder()
                .event("end")
                .data(Map.of("status", status))
                .build();
    }
}

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
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A run's log lines: all of them as JSON, or live as server-sent events until the run ends. */
@RestController
public class RunLogController {
    /** A run's log as JSON. */
    public record RunLog(UUID runId, String status, List<LogLine> lines) {}

    private final RunRepository runs;
    private final LiveLog live;
    private final LogStore store;

    public RunLogController(RunRepository runs, LiveLog live, LogStore store) {
        this.runs = runs;
        this.live = live;
        this.store = store;
    }

    @GetMapping(path = "/api/runs/{id}/logs", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<RunLog> logs(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
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

    @GetMapping(path = "/api/runs/{id}/logs", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Object>> stream(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> runs.find(user.id(), id).orElseThrow(() -> new RunNotFoundException(id)))
                .flatMapMany(run -> {
                    if (run.status().isFinal()
                            && live.snapshot(LiveLog.Source.run(id)).isEmpty()) {
                        // the live stream has expired: replay what the store kept, then end
                        return Blocking.call(() -> store.read(LogArchiver.runLogId(id)))
                                .flatMapMany(Flux::fromIterable)
                                .map(RunLogController::lineEvent)
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

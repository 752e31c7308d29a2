package dev.cronhook.api.log;

import dev.cronhook.api.user.CurrentUser;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code /api/runs/{id}/logs}: a run's log lines as JSON, or live as server-sent events until the run ends. */
@RestController
public class RunLogController {
    private final RunLogs logs;

    public RunLogController(RunLogs logs) {
        this.logs = logs;
    }

    @GetMapping(path = "/api/runs/{id}/logs", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<RunLogs.RunLog> logs(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return logs.logs(user, id);
    }

    @GetMapping(path = "/api/runs/{id}/logs", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Object>> stream(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return logs.stream(user, id);
    }
}

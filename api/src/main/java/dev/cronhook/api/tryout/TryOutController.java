package dev.cronhook.api.tryout;

import dev.cronhook.api.user.CurrentUser;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code POST /api/try-out {code, dependencies, event}}: runs unsaved code once on a try-out worker. As JSON, the
 * answer when it has ended (status, result or reply, error, logs, install log, timings); with {@code Accept:
 * text/event-stream}, its install and log lines as they happen, then the answer. Nothing is stored.
 */
@RestController
public class TryOutController {
    private final TryOuts tryOuts;

    public TryOutController(TryOuts tryOuts) {
        this.tryOuts = tryOuts;
    }

    @PostMapping(
            path = "/api/try-out",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<TryOutAnswer> tryOut(@AuthenticationPrincipal CurrentUser user, @RequestBody TryOutBody body) {
        return tryOuts.answer(user.id(), body);
    }

    @PostMapping(
            path = "/api/try-out",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Object>> tryOutLive(
            @AuthenticationPrincipal CurrentUser user, @RequestBody TryOutBody body) {
        return tryOuts.serverSentEvents(user.id(), body);
    }
}

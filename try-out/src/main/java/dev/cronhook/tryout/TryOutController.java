package dev.cronhook.tryout;

import java.util.concurrent.Executors;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /api/try-out {code, dependencies, event}}: runs unsaved code once and answers with its result or
 * reply, error, logs and the dependency install's log. Authenticated like the rest of {@code /api}.
 */
@RestController
public class TryOutController {
    private static final Scheduler VIRTUAL = Schedulers.fromExecutorService(
            Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("try-out-", 0).factory()),
            "try-out");
    private final TryOutService service;

    public TryOutController(TryOutService service) {
        this.service = service;
    }

    @PostMapping(
            path = "/api/try-out",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<TryOutResult> tryOut(@RequestBody TryOutRequest request) {
        return Mono.fromCallable(() -> service.run(request)).subscribeOn(VIRTUAL);
    }
}

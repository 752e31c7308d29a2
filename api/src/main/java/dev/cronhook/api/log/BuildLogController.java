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

/** {@code /api/scripts/{id}/versions/{version}/build}: a version's build as JSON, or its log live. */
@RestController
public class BuildLogController {
    private final VersionBuilds builds;

    public BuildLogController(VersionBuilds builds) {
        this.builds = builds;
    }

    @GetMapping(path = "/api/scripts/{id}/versions/{version}/build", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<VersionBuilds.BuildView> build(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @PathVariable int version) {
        return builds.build(user, id, version);
    }

    @GetMapping(path = "/api/scripts/{id}/versions/{version}/build", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Object>> stream(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @PathVariable int version) {
        return builds.stream(user, id, version);
    }
}

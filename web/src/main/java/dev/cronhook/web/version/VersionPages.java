package dev.cronhook.web.version;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.error.ProblemException;
import dev.cronhook.api.log.VersionBuilds;
import dev.cronhook.api.script.ScriptService;
import dev.cronhook.api.user.CurrentUser;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.reactive.result.view.Rendering;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A script's versions: build state and log (live while building), deploy and roll back. */
@Controller
public class VersionPages {
    private final ScriptService scripts;
    private final VersionBuilds builds;

    public VersionPages(ScriptService scripts, VersionBuilds builds) {
        this.scripts = scripts;
        this.builds = builds;
    }

    @GetMapping("/scripts/{id}/versions")
    Mono<Rendering> versions(
            @AuthenticationPrincipal CurrentUser user,
            @PathVariable UUID id,
            @org.springframework.web.bind.annotation.RequestParam(required = false) Integer deployed) {
        return Blocking.call(() -> scripts.get(user, id))
                .zipWith(Blocking.call(() -> scripts.versions(user, id)))
                .map(t -> Rendering.view("scripts/versions")
                        .modelAttribute("script", t.getT1())
                        .modelAttribute("versions", t.getT2())
                        .modelAttribute("deployed", deployed)
                        .build());
    }

    @PostMapping("/scripts/{id}/versions/{version}/deploy")
    Mono<Rendering> deploy(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @PathVariable int version) {
        return Blocking.call(() -> scripts.deploy(user, id, version))
                .map(s -> Rendering.redirectTo("/scripts/" + id + "/versions?deployed=" + version)
                        .build())
                .onErrorResume(ProblemException.class, e -> Blocking.call(() -> scripts.get(user, id))
                        .zipWith(Blocking.call(() -> scripts.versions(user, id)))
                        .map(t -> Rendering.view("scripts/versions")
                                .status(e.status() == HttpStatus.NOT_FOUND ? HttpStatus.NOT_FOUND : e.status())
                                .modelAttribute("script", t.getT1())
                                .modelAttribute("versions", t.getT2())
                                .modelAttribute("deployError", e.getMessage())
                                .modelAttribute("deployErrorVersion", version)
                                .build()));
    }

    /** The build as JSON (state, error, log, resolved packages). */
    @GetMapping(path = "/scripts/{id}/versions/{version}/build", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    Mono<VersionBuilds.BuildView> build(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @PathVariable int version) {
        return builds.build(user, id, version);
    }

    /** The build log as it grows, for the page's EventSource (the api's stream, behind the session). */
    @GetMapping(path = "/scripts/{id}/versions/{version}/build", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ResponseBody
    Flux<ServerSentEvent<Object>> buildStream(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @PathVariable int version) {
        return builds.stream(user, id, version);
    }
}

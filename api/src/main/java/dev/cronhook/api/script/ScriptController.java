package dev.cronhook.api.script;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.validation.InvalidInputException;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** The scripts API: scripts, their versions, deploys (and so rollbacks) and webhook tokens. */
@RestController
@RequestMapping("/api/scripts")
public class ScriptController {
    private final ScriptService service;
    private final RunService runs;

    public ScriptController(ScriptService service, RunService runs) {
        this.service = service;
        this.runs = runs;
    }

    /** The body of a manual run: the event the script receives (trigger and runId are set by Cronhook). */
    public record ManualRunRequest(JsonNode event) {}

    /** A run that was accepted: its id and where to follow it. */
    public record RunAccepted(UUID id, String status, String url) {}

    @PostMapping(path = "/{id}/runs", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<RunAccepted>> run(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @RequestBody ManualRunRequest request) {
        if (request.event() != null && !request.event().isObject()) {
            throw new InvalidInputException("event", "must be a JSON object");
        }
        return Blocking.call(() -> runs.launchManual(user, id, request.event())).map(launched -> {
            String url = "/api/runs/" + launched.runId();
            return ResponseEntity.accepted()
                    .location(URI.create(url))
                    .body(new RunAccepted(launched.runId(), "QUEUED", url));
        });
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<ScriptView>> create(
            @AuthenticationPrincipal CurrentUser user, @RequestBody ScriptRequest request) {
        return Blocking.call(() -> service.create(user, request))
                .map(s -> ResponseEntity.created(URI.create("/api/scripts/" + s.id()))
                        .body(s));
    }

    @GetMapping
    public Mono<List<ScriptView>> list(@AuthenticationPrincipal CurrentUser user) {
        return Blocking.call(() -> service.list(user));
    }

    @GetMapping("/{id}")
    public Mono<ScriptView> get(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.get(user, id));
    }

    @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ScriptView> update(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @RequestBody ScriptRequest request) {
        return Blocking.call(() -> service.update(user, id, request));
    }

    @DeleteMapping("/{id}")
    public Mono<ResponseEntity<Void>> delete(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.run(() -> service.delete(user, id))
                .then(Mono.just(ResponseEntity.noContent().build()));
    }

    @GetMapping("/{id}/versions")
    public Mono<List<VersionView>> versions(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.versions(user, id));
    }

    @PostMapping("/{id}/versions/{version}/deploy")
    public Mono<ScriptView> deploy(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @PathVariable int version) {
        return Blocking.call(() -> service.deploy(user, id, version));
    }

    @PostMapping("/{id}/pause")
    public Mono<ScriptView> pause(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.setPaused(user, id, true));
    }

    @PostMapping("/{id}/resume")
    public Mono<ScriptView> resume(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.setPaused(user, id, false));
    }

    @PostMapping("/{id}/webhook/rotate")
    public Mono<ScriptView> rotateWebhook(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.rotateWebhook(user, id));
    }
}

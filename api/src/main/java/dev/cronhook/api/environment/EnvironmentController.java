package dev.cronhook.api.environment;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.user.CurrentUser;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code /api/environments}: the caller's environments (dev and prod always), made, protected and deleted. */
@RestController
public class EnvironmentController {
    /** The body of POST (a new environment) and PUT (its protection). */
    public record EnvironmentRequest(
            String name,

            @com.fasterxml.jackson.annotation.JsonProperty("protected")
            Boolean isProtected) {}

    private final EnvironmentService service;

    public EnvironmentController(EnvironmentService service) {
        this.service = service;
    }

    @GetMapping("/api/environments")
    public Mono<List<EnvironmentService.EnvironmentView>> list(@AuthenticationPrincipal CurrentUser user) {
        return Blocking.call(() -> service.list(user.id()));
    }

    @GetMapping("/api/environments/{name}")
    public Mono<EnvironmentService.EnvironmentView> get(
            @AuthenticationPrincipal CurrentUser user, @PathVariable String name) {
        return Blocking.call(() -> service.require(user.id(), name));
    }

    @PostMapping(path = "/api/environments", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    public Mono<EnvironmentService.EnvironmentView> create(
            @AuthenticationPrincipal CurrentUser user, @RequestBody EnvironmentRequest request) {
        return Blocking.call(
                () -> service.create(user.id(), request.name(), Boolean.TRUE.equals(request.isProtected())));
    }

    /** Protects an environment ({@code {"protected": true}}) or lifts its protection. */
    @PutMapping(path = "/api/environments/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<EnvironmentService.EnvironmentView> update(
            @AuthenticationPrincipal CurrentUser user,
            @PathVariable String name,
            @RequestBody EnvironmentRequest request) {
        if (request.isProtected() == null) {
            new dev.cronhook.core.validation.Violations()
                    .add("protected", "is required: true or false")
                    .throwIfAny();
        }
        return Blocking.call(() -> service.setProtected(user.id(), name, request.isProtected()));
    }

    @DeleteMapping("/api/environments/{name}")
    public Mono<ResponseEntity<Void>> delete(@AuthenticationPrincipal CurrentUser user, @PathVariable String name) {
        return Blocking.run(() -> service.delete(user.id(), name))
                .then(Mono.just(ResponseEntity.noContent().build()));
    }
}

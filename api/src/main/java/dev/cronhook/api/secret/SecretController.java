package dev.cronhook.api.secret;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.user.CurrentUser;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Secrets of a user and of a script: set or replace a value, list names, delete. Never returns a value. */
@RestController
public class SecretController {
    /** The body of PUT: the value, written once and never shown again. */
    public record SecretValue(String value) {}

    /** The body of PUT .../infisical. */
    public record InfisicalRequest(
            String siteUrl,
            String projectId,
            String environment,
            String secretPath,
            String clientId,
            String clientSecret) {}

    private final SecretService service;

    public SecretController(SecretService service) {
        this.service = service;
    }

    @PutMapping(path = "/api/secrets/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<SecretRepository.SecretInfo> putUserSecret(
            @AuthenticationPrincipal CurrentUser user,
            @PathVariable String name,
            @RequestParam(name = "environment", required = false) String environment,
            @RequestBody SecretValue body) {
        return Blocking.call(() -> service.put(user, null, environment, name, body.value()));
    }

    /** The user's secrets of one environment ({@code ?environment=}, dev when left out): names, never values. */
    @GetMapping("/api/secrets")
    public Mono<List<SecretRepository.SecretInfo>> listUserSecrets(
            @AuthenticationPrincipal CurrentUser user,
            @RequestParam(name = "environment", required = false) String environment) {
        return Blocking.call(() -> service.list(user, null, environment));
    }

    @DeleteMapping("/api/secrets/{name}")
    public Mono<ResponseEntity<Void>> deleteUserSecret(
            @AuthenticationPrincipal CurrentUser user,
            @PathVariable String name,
            @RequestParam(name = "environment", required = false) String environment) {
        return Blocking.call(() -> deleted(service.delete(user, null, environment, name)));
    }

    @PutMapping(path = "/api/scripts/{id}/secrets/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<SecretRepository.SecretInfo> putScriptSecret(
            @AuthenticationPrincipal CurrentUser user,
            @PathVariable UUID id,
            @PathVariable String name,
            @RequestBody SecretValue body) {
        return Blocking.call(() -> service.put(user, id, name, body.value()));
    }

    @GetMapping("/api/scripts/{id}/secrets")
    public Mono<List<SecretRepository.SecretInfo>> listScriptSecrets(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.list(user, id));
    }

    @DeleteMapping("/api/scripts/{id}/secrets/{name}")
    public Mono<ResponseEntity<Void>> deleteScriptSecret(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @PathVariable String name) {
        return Blocking.call(() -> deleted(service.delete(user, id, name)));
    }

    @PutMapping(path = "/api/scripts/{id}/infisical", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<SecretService.InfisicalView> bindInfisical(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @RequestBody InfisicalRequest r) {
        return Blocking.call(() -> service.bindInfisical(
                user, id, r.siteUrl(), r.projectId(), r.environment(), r.secretPath(), r.clientId(), r.clientSecret()));
    }

    @GetMapping("/api/scripts/{id}/infisical")
    public Mono<ResponseEntity<SecretService.InfisicalView>> infisical(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(
                () -> service.infisicalView(user, id).map(ResponseEntity::ok).orElseGet(() -> ResponseEntity.notFound()
                        .build()));
    }

    @DeleteMapping("/api/scripts/{id}/infisical")
    public Mono<ResponseEntity<Void>> unbindInfisical(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> deleted(service.unbindInfisical(user, id)));
    }

    private static ResponseEntity<Void> deleted(boolean found) {
        if (!found) throw new dev.cronhook.api.error.ResourceNotFoundException("secret of that name");
        return ResponseEntity.noContent().build();
    }
}

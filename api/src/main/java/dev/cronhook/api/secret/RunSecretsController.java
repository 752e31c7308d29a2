package dev.cronhook.api.secret;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.core.secret.RunSecrets;
import dev.cronhook.core.secret.SecretsUnavailableException;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * For executors in a split deployment: a run's secrets against that run's token ({@code Authorization: Run
 * <token>}), while the run has not ended. Not for users: served on the management port only, to workers that
 * prove themselves with their own credential too ({@link WorkerCredentialFilter}).
 */
@RestController
public class RunSecretsController {
    private final DatabaseRunSecretsSource source;

    public RunSecretsController(DatabaseRunSecretsSource source) {
        this.source = source;
    }

    @GetMapping("/internal/runs/{id}/secrets")
    public Mono<ResponseEntity<RunSecrets>> secrets(
            @PathVariable UUID id, @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String auth) {
        String token =
                auth != null && auth.startsWith("Run ") ? auth.substring(4).trim() : null;
        return Blocking.call(() -> {
            try {
                return ResponseEntity.ok(source.forRun(id, token));
            } catch (SecretsUnavailableException e) {
                return ResponseEntity.status(HttpStatus.FORBIDDEN).<RunSecrets>build();
            }
        });
    }
}

package dev.cronhook.api.hook;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.error.ScriptNotFoundException;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.validation.Violations;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Turns signature verification of a script's webhook on (with a secret and header), shows it, turns it off. */
@RestController
public class WebhookSignatureController {
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9-]{1,100}");
    public static final String DEFAULT_HEADER = "X-Hub-Signature-256";

    /** The body of PUT: the shared secret and the header that carries the signature. */
    public record SignatureRequest(String secret, String header) {}

    private final ScriptRepository scripts;
    private final WebhookSignatureRepository signatures;
    private final ReadCaches caches;

    public WebhookSignatureController(
            ScriptRepository scripts, WebhookSignatureRepository signatures, ReadCaches caches) {
        this.caches = caches;
        this.scripts = scripts;
        this.signatures = signatures;
    }

    @PutMapping(path = "/api/scripts/{id}/webhook/signature", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Map<String, Object>> put(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @RequestBody SignatureRequest request) {
        var v = new Violations();
        if (request.secret() == null
                || request.secret().length() < 16
                || request.secret().length() > 256) {
            v.add("secret", "must be 16-256 characters");
        }
        String header = request.header() == null ? DEFAULT_HEADER : request.header();
        if (!HEADER.matcher(header).matches()) v.add("header", "must be an HTTP header name");
        v.throwIfAny();
        return Blocking.call(() -> {
            scripts.find(user.id(), id).orElseThrow(() -> new ScriptNotFoundException(id));
            signatures.put(id, header, request.secret());
            caches.clearAll();
            return Map.<String, Object>of("enabled", true, "header", header);
        });
    }

    @GetMapping("/api/scripts/{id}/webhook/signature")
    public Mono<Map<String, Object>> get(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> {
            scripts.find(user.id(), id).orElseThrow(() -> new ScriptNotFoundException(id));
            return signatures
                    .find(id)
                    .<Map<String, Object>>map(s -> Map.of("enabled", true, "header", s.header()))
                    .orElse(Map.of("enabled", false));
        });
    }

    @DeleteMapping("/api/scripts/{id}/webhook/signature")
    public Mono<ResponseEntity<Void>> delete(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> {
            scripts.find(user.id(), id).orElseThrow(() -> new ScriptNotFoundException(id));
            signatures.delete(id);
            caches.clearAll();
            return ResponseEntity.noContent().<Void>build();
        });
    }
}

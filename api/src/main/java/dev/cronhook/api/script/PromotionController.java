package dev.cronhook.api.script;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.user.CurrentUser;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code POST /api/environments/{to}/promote}: the deployed versions of one environment's scripts made another's. */
@RestController
public class PromotionController {
    /** The body: the environment promoted from and the scripts by name (left out: every script of it). */
    public record PromotionRequest(String from, List<String> scripts) {}

    /** The answer: what happened to each script of the target environment. */
    public record PromotionResult(String from, String to, List<ScriptPromotions.Promoted> promoted) {}

    private final ScriptPromotions promotions;

    public PromotionController(ScriptPromotions promotions) {
        this.promotions = promotions;
    }

    @PostMapping(path = "/api/environments/{to}/promote", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<PromotionResult> promote(
            @AuthenticationPrincipal CurrentUser user, @PathVariable String to, @RequestBody PromotionRequest request) {
        return Blocking.call(() -> new PromotionResult(
                request.from(), to, promotions.promote(user, request.from(), to, request.scripts())));
    }
}

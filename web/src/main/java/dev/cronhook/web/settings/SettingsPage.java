package dev.cronhook.web.settings;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.environment.EnvironmentName;
import dev.cronhook.api.environment.EnvironmentService;
import dev.cronhook.api.error.EnvironmentConflictException;
import dev.cronhook.api.secret.SecretService;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.api.user.TokenService;
import dev.cronhook.api.user.UserService;
import dev.cronhook.core.validation.InvalidInputException;
import dev.cronhook.core.validation.Violations;
import dev.cronhook.web.signin.SessionCookieRepository;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The user's settings: their password, API tokens (shown once when made), environments (made, protected, deleted)
 * and the secrets shared by all of the user's scripts of one environment.
 */
@Controller
public class SettingsPage {
    private final TokenService tokens;
    private final SecretService secrets;
    private final UserService users;
    private final EnvironmentService environments;

    public SettingsPage(
            TokenService tokens, SecretService secrets, UserService users, EnvironmentService environments) {
        this.environments = environments;
        this.tokens = tokens;
        this.secrets = secrets;
        this.users = users;
    }

    /** Changes the signed-in user's password; this browser stays signed in, their other sessions end. */
    @PostMapping("/settings/password")
    Mono<Rendering> changePassword(@AuthenticationPrincipal CurrentUser user, ServerWebExchange exchange) {
        String session = SessionCookieRepository.tokenOf(exchange);
        return exchange.getFormData().flatMap(form -> {
            String current = form.getFirst("currentPassword");
            String next = form.getFirst("newPassword");
            String repeated = form.getFirst("repeatPassword");
            if (next != null && !next.equals(repeated)) {
                return page(user, Map.of(), Map.of(), null).map(r -> r.status(HttpStatus.BAD_REQUEST)
                        .modelAttribute("passwordErrors", Map.of("repeatPassword", "does not match the new password"))
                        .build());
            }
            return Blocking.run(() -> users.changePassword(user, current, next, session))
                    .thenReturn(Rendering.redirectTo("/settings?notice=password-changed")
                            .build())
                    .onErrorResume(InvalidInputException.class, e -> page(user, Map.of(), Map.of(), null)
                            .map(r -> r.status(HttpStatus.BAD_REQUEST)
                                    .modelAttribute("passwordErrors", errors(e))
                                    .build()));
        });
    }

    @GetMapping("/settings")
    Mono<Rendering> settings(
            @AuthenticationPrincipal CurrentUser user,
            @RequestParam(required = false) String notice,
            @RequestParam(defaultValue = EnvironmentName.DEV) String env) {
        return page(user, Map.of(), Map.of(), null, env.strip())
                .map(r -> r.modelAttribute("notice", notice).build());
    }

    @PostMapping("/settings/tokens")
    Mono<Rendering> createToken(@AuthenticationPrincipal CurrentUser user, ServerWebExchange exchange) {
        return exchange.getFormData().flatMap(form -> {
            String name = form.getFirst("tokenName") == null
                    ? ""
                    : form.getFirst("tokenName").trim();
            String days = form.getFirst("expiresInDays") == null
                    ? ""
                    : form.getFirst("expiresInDays").trim();
            var v = new Violations();
            if (name.isEmpty() || name.length() > 100) v.add("name", "is required, at most 100 characters");
            Integer expiresIn = null;
            if (!days.isEmpty()) {
                try {
                    expiresIn = Integer.valueOf(days);
                    if (expiresIn < 1 || expiresIn > 3650) v.add("expiresInDays", "must be between 1 and 3650");
                } catch (NumberFormatException e) {
                    v.add("expiresInDays", "must be a whole number of days");
                }
            }
            if (!v.isEmpty()) {
                return page(user, errors(new InvalidInputException(v.list())), Map.of(), null)
                        .map(r -> r.status(HttpStatus.BAD_REQUEST).build());
            }
            Instant expires = expiresIn == null ? null : Instant.now().plus(Duration.ofDays(expiresIn));
            return Blocking.call(() -> tokens.issue(user.id(), name, "api", expires))
                    .flatMap(issued -> page(user, Map.of(), Map.of(), issued))
                    .map(Rendering.Builder::build);
        });
    }

    @PostMapping("/settings/tokens/{id}/revoke")
    Mono<Rendering> revoke(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> tokens.revoke(user.id(), id))
                .thenReturn(
                        Rendering.redirectTo("/settings?notice=token-revoked").build());
    }

    @PostMapping("/settings/secrets")
    Mono<Rendering> putSecret(@AuthenticationPrincipal CurrentUser user, ServerWebExchange exchange) {
        return exchange.getFormData().flatMap(form -> {
            String name = form.getFirst("secretName") == null
                    ? ""
                    : form.getFirst("secretName").trim();
            String value = form.getFirst("secretValue") == null ? "" : form.getFirst("secretValue");
            String env = environmentOf(form.getFirst("environment"));
            return Blocking.call(() -> secrets.put(user, null, env, name, value))
                    .thenReturn(Rendering.redirectTo(settingsOf(env, "secret-saved") + "#secrets")
                            .build())
                    .onErrorResume(InvalidInputException.class, e -> page(user, Map.of(), errors(e), null, env)
                            .map(r -> r.status(HttpStatus.BAD_REQUEST)
                                    .modelAttribute("secretName", name)
                                    .build()));
        });
    }

    @PostMapping("/settings/secrets/{name}/delete")
    Mono<Rendering> deleteSecret(
            @AuthenticationPrincipal CurrentUser user,
            @PathVariable String name,
            @RequestParam(defaultValue = EnvironmentName.DEV) String env) {
        String environment = environmentOf(env);
        return Blocking.call(() -> secrets.delete(user, null, environment, name))
                .thenReturn(Rendering.redirectTo(settingsOf(environment, "secret-deleted") + "#secrets")
                        .build());
    }

    /** Makes an environment besides dev and prod, protected or not. */
    @PostMapping("/settings/environments")
    Mono<Rendering> createEnvironment(@AuthenticationPrincipal CurrentUser user, ServerWebExchange exchange) {
        return exchange.getFormData().flatMap(form -> {
            String name = form.getFirst("environmentName") == null
                    ? ""
                    : form.getFirst("environmentName").strip();
            boolean isProtected = form.containsKey("protected");
            return Blocking.call(() -> environments.create(user.id(), name, isProtected))
                    .thenReturn(Rendering.redirectTo("/settings?notice=environment-made#environments")
                            .build())
                    .onErrorResume(
                            e -> e instanceof InvalidInputException || e instanceof EnvironmentConflictException,
                            e -> page(user, Map.of(), Map.of(), null).map(r -> r.status(HttpStatus.BAD_REQUEST)
                                    .modelAttribute(
                                            "environmentErrors",
                                            e instanceof InvalidInputException invalid
                                                    ? errors(invalid)
                                                    : Map.of("name", e.getMessage()))
                                    .modelAttribute("environmentName", name)
                                    .build()));
        });
    }

    /** Protects an environment (its scripts then change only by promotion) or lifts its protection. */
    @PostMapping("/settings/environments/{name}/protection")
    Mono<Rendering> protect(
            @AuthenticationPrincipal CurrentUser user, @PathVariable String name, ServerWebExchange exchange) {
        return exchange.getFormData()
                .flatMap(form -> Blocking.call(
                        () -> environments.setProtected(user.id(), name, "true".equals(form.getFirst("protected")))))
                .map(env -> Rendering.redirectTo("/settings?notice=" + (env.isProtected() ? "protected" : "unprotected")
                                + "#environments")
                        .build());
    }

    @PostMapping("/settings/environments/{name}/delete")
    Mono<Rendering> deleteEnvironment(@AuthenticationPrincipal CurrentUser user, @PathVariable String name) {
        return Blocking.run(() -> environments.delete(user.id(), name))
                .thenReturn(Rendering.redirectTo("/settings?notice=environment-deleted#environments")
                        .build())
                .onErrorResume(
                        EnvironmentConflictException.class,
                        e -> Mono.just(Rendering.redirectTo("/settings?notice="
                                        + URLEncoder.encode(e.getMessage(), StandardCharsets.UTF_8) + "#environments")
                                .build()));
    }

    private static String environmentOf(String given) {
        return given == null || given.isBlank() ? EnvironmentName.DEV : given.strip();
    }

    private static String settingsOf(String environment, String notice) {
        return "/settings?notice=" + notice
                + (environment.equals(EnvironmentName.DEV)
                        ? ""
                        : "&env=" + URLEncoder.encode(environment, StandardCharsets.UTF_8));
    }

    private Mono<Rendering.Builder<?>> page(
            CurrentUser user,
            Map<String, String> tokenErrors,
            Map<String, String> secretErrors,
            TokenService.IssuedToken issued) {
        return page(user, tokenErrors, secretErrors, issued, EnvironmentName.DEV);
    }

    private Mono<Rendering.Builder<?>> page(
            CurrentUser user,
            Map<String, String> tokenErrors,
            Map<String, String> secretErrors,
            TokenService.IssuedToken issued,
            String environment) {
        return Blocking.call(() -> Rendering.view("settings")
                .modelAttribute("tokens", tokens.list(user.id()))
                .modelAttribute("environments", environments.list(user.id()))
                .modelAttribute("secretEnvironment", environment)
                .modelAttribute("secrets", secrets.list(user, null, environment))
                .modelAttribute("environmentErrors", Map.of())
                .modelAttribute("tokenErrors", tokenErrors)
                .modelAttribute("secretErrors", secretErrors)
                .modelAttribute("passwordErrors", Map.of())
                .modelAttribute("issued", issued));
    }

    private static Map<String, String> errors(InvalidInputException e) {
        var out = new LinkedHashMap<String, String>();
        for (var v : e.violations()) out.merge(v.field(), v.message(), (a, b) -> a + "; " + b);
        return out;
    }
}

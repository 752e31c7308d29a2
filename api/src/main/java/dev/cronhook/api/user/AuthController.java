package dev.cronhook.api.user;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.core.validation.Violations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Sign-in, the current user, API tokens and (for the admin) users. */
@RestController
public class AuthController {
    public record LoginRequest(String username, String password) {}

    public record LoginResponse(String token, Instant expiresAt, CurrentUser user) {}

    public record TokenRequest(String name, Integer expiresInDays) {}

    public record UserRequest(String username, String password, Boolean admin) {}

    public record PasswordChange(String currentPassword, String newPassword) {}

    public record PasswordReset(String newPassword) {}

    private final UserService service;
    private final TokenService tokens;
    private final UserRepository users;
    private final AuthProperties properties;

    public AuthController(UserService service, TokenService tokens, UserRepository users, AuthProperties properties) {
        this.service = service;
        this.tokens = tokens;
        this.users = users;
        this.properties = properties;
    }

    /** Throttled per account and per client address: 429 with Retry-After after repeated failures. */
    @PostMapping(path = "/api/auth/login", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<LoginResponse> login(@RequestBody LoginRequest request, ServerHttpRequest http) {
        String address = clientAddress(http);
        return Blocking.call(() -> {
            var issued = service.login(request.username(), request.password(), address, properties.tokenTtl());
            var user = users.findByUsername(request.username()).orElseThrow();
            return new LoginResponse(issued.token(), issued.expiresAt(), user.toCurrentUser());
        });
    }

    @GetMapping("/api/me")
    public CurrentUser me(@AuthenticationPrincipal CurrentUser user) {
        return user;
    }

    /**
     * Changes the caller's password (e.g. the one printed on the first start). Other sign-in sessions of the user
     * end; the session or API token of this request and the user's API tokens stay (they are listed and revoked
     * one by one under /api/tokens).
     */
    @PutMapping(path = "/api/users/me/password", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Void>> changePassword(
            @AuthenticationPrincipal CurrentUser user,
            @RequestBody PasswordChange request,
            @RequestHeader(HttpHeaders.AUTHORIZATION) String authorization) {
        String token = authorization.substring("Bearer ".length()).trim();
        return Blocking.call(() -> {
            service.changePassword(user, request.currentPassword(), request.newPassword(), token);
            return ResponseEntity.noContent().<Void>build();
        });
    }

    @PostMapping(path = "/api/tokens", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    public Mono<TokenService.IssuedToken> createToken(
            @AuthenticationPrincipal CurrentUser user, @RequestBody TokenRequest request) {
        var v = new Violations();
        if (request.name() == null || request.name().isBlank() || request.name().length() > 100) {
            v.add("name", "is required, at most 100 characters");
        }
        if (request.expiresInDays() != null && (request.expiresInDays() < 1 || request.expiresInDays() > 3650)) {
            v.add("expiresInDays", "must be between 1 and 3650");
        }
        v.throwIfAny();
        Instant expires =
                request.expiresInDays() == null ? null : Instant.now().plus(Duration.ofDays(request.expiresInDays()));
        return Blocking.call(() -> tokens.issue(user.id(), request.name().trim(), "api", expires));
    }

    @GetMapping("/api/tokens")
    public Mono<List<TokenService.TokenInfo>> listTokens(@AuthenticationPrincipal CurrentUser user) {
        return Blocking.call(() -> tokens.list(user.id()));
    }

    @DeleteMapping("/api/tokens/{id}")
    public Mono<ResponseEntity<Void>> revokeToken(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> {
            if (!tokens.revoke(user.id(), id))
                throw new dev.cronhook.api.error.ResourceNotFoundException("token with id " + id);
            return ResponseEntity.noContent().<Void>build();
        });
    }

    @PostMapping(path = "/api/users", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    public Mono<CurrentUser> createUser(@AuthenticationPrincipal CurrentUser user, @RequestBody UserRequest request) {
        requireAdmin(user);
        return Blocking.call(
                () -> service.create(request.username(), request.password(), Boolean.TRUE.equals(request.admin())));
    }

    @GetMapping("/api/users")
    public Mono<List<UserRepository.UserInfo>> listUsers(@AuthenticationPrincipal CurrentUser user) {
        requireAdmin(user);
        return Blocking.call(users::all);
    }

    /** The admin sets another user's password: their sign-in sessions end, their API tokens stay. */
    @PutMapping(path = "/api/users/{id}/password", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Void>> resetPassword(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @RequestBody PasswordReset request) {
        requireAdmin(user);
        return Blocking.call(() -> {
            service.resetPassword(user, id, request.newPassword());
            return ResponseEntity.noContent().<Void>build();
        });
    }

    /** The admin disables a user: no sign-in, sessions ended, API tokens refused (webhooks keep working). */
    @PostMapping("/api/users/{id}/disable")
    public Mono<ResponseEntity<Void>> disable(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        requireAdmin(user);
        return Blocking.call(() -> {
            service.setDisabled(user, id, true);
            return ResponseEntity.noContent().<Void>build();
        });
    }

    @PostMapping("/api/users/{id}/enable")
    public Mono<ResponseEntity<Void>> enable(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        requireAdmin(user);
        return Blocking.call(() -> {
            service.setDisabled(user, id, false);
            return ResponseEntity.noContent().<Void>build();
        });
    }

    private static void requireAdmin(CurrentUser user) {
        UserService.requireAdmin(user);
    }

    static String clientAddress(ServerHttpRequest request) {
        return ClientAddress.of(request);
    }
}

package dev.cronhook.web.signin;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.api.user.TokenService;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseCookie;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.server.context.ServerSecurityContextRepository;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Keeps a browser signed in with a cookie holding an api session token (its id and value), so any web replica can
 * read the session from the database and signing out revokes the token. Nothing is kept in a replica's memory.
 */
public class SessionCookieRepository implements ServerSecurityContextRepository {
    static final String COOKIE = "cronhook_session";

    private final TokenService tokens;
    private final boolean secure;

    public SessionCookieRepository(TokenService tokens, boolean secure) {
        this.tokens = tokens;
        this.secure = secure;
    }

    @Override
    public Mono<Void> save(ServerWebExchange exchange, SecurityContext context) {
        if (context == null || context.getAuthentication() == null) {
            var old = sessionOf(exchange);
            exchange.getResponse().addCookie(cookie("", Duration.ZERO));
            if (old == null) return Mono.empty();
            return Blocking.call(() -> tokens.authenticate(old.token())
                            .map(user -> tokens.revoke(user.id(), old.id()))
                            .orElse(false))
                    .then();
        }
        if (context.getAuthentication().getCredentials() instanceof TokenService.IssuedToken issued) {
            exchange.getResponse().addCookie(cookie(issued.id() + "." + issued.token(), null));
        }
        return Mono.empty();
    }

    @Override
    public Mono<SecurityContext> load(ServerWebExchange exchange) {
        var session = sessionOf(exchange);
        if (session == null) return Mono.empty();
        return Blocking.call(() -> tokens.authenticate(session.token()))
                .flatMap(found -> found.map(user -> Mono.just(context(user, session.token())))
                        .orElseGet(Mono::empty));
    }

    /** The api token of the signed-in browser, for calls this process makes on its behalf. */
    public static String tokenOf(ServerWebExchange exchange) {
        var session = sessionOf(exchange);
        return session == null ? null : session.token();
    }

    static SecurityContext context(CurrentUser user, Object credentials) {
        var authorities = user.admin()
                ? List.of(new SimpleGrantedAuthority("ROLE_USER"), new SimpleGrantedAuthority("ROLE_ADMIN"))
                : List.of(new SimpleGrantedAuthority("ROLE_USER"));
        return new SecurityContextImpl(
                UsernamePasswordAuthenticationToken.authenticated(user, credentials, authorities));
    }

    private record Session(UUID id, String token) {}

    private static Session sessionOf(ServerWebExchange exchange) {
        var cookie = exchange.getRequest().getCookies().getFirst(COOKIE);
        if (cookie == null) return null;
        String value = cookie.getValue();
        int dot = value.indexOf('.');
        if (dot < 0) return null;
        try {
            return new Session(UUID.fromString(value.substring(0, dot)), value.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private ResponseCookie cookie(String value, Duration maxAge) {
        var b = ResponseCookie.from(COOKIE, value)
                .httpOnly(true)
                .secure(secure)
                .sameSite("Lax")
                .path("/");
        if (maxAge != null) b.maxAge(maxAge);
        return b.build();
    }
}

package dev.cronhook.web.signin;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.error.TooManySignInAttemptsException;
import dev.cronhook.api.user.AuthProperties;
import dev.cronhook.api.user.ClientAddress;
import dev.cronhook.api.user.TokenService;
import dev.cronhook.api.user.UserService;
import dev.cronhook.core.validation.InvalidInputException;
import dev.cronhook.web.page.PagePaths;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.DefaultServerRedirectStrategy;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.RedirectServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.RedirectServerAuthenticationSuccessHandler;
import org.springframework.security.web.server.authentication.ServerAuthenticationFailureHandler;
import org.springframework.security.web.server.authentication.logout.RedirectServerLogoutSuccessHandler;
import org.springframework.security.web.server.csrf.CookieServerCsrfTokenRepository;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.security.web.server.savedrequest.CookieServerRequestCache;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The pages' security: form sign-in with the api's users, a session cookie holding an api session token, CSRF
 * protection on every form and script request. Only the page paths ({@link PagePaths}) are in this chain; the
 * API, webhooks and internal endpoints keep theirs.
 */
@Configuration(proxyBeanMethods = false)
public class WebSecurity {
    private static final String CSRF_FAILED = "This form has expired or did not come from Cronhook (no valid CSRF"
            + " token). Go back, reload the page and try again.";

    @Bean
    @Order(10)
    SecurityWebFilterChain pageSecurity(
            ServerHttpSecurity http,
            UserService users,
            TokenService tokens,
            AuthProperties properties,
            ObjectProvider<ViewResolver> views,
            @Value("${cronhook.public-url:}") String publicUrl) {
        var sessions = new SessionCookieRepository(tokens, publicUrl.startsWith("https:"));
        // the security chain puts the exchange in the Reactor context: the client's address for the throttle
        ReactiveAuthenticationManager manager = authentication -> Mono.deferContextual(ctx -> {
            String address = ctx.<ServerWebExchange>getOrEmpty(ServerWebExchange.class)
                    .map(exchange -> ClientAddress.of(exchange.getRequest()))
                    .orElse("unknown");
            return Blocking.call(() -> {
                String username = authentication.getName();
                String password = (String) authentication.getCredentials();
                try {
                    var issued = users.login(username, password, address, properties.sessionTtl());
                    var user = tokens.authenticate(issued.token()).orElseThrow();
                    return (Authentication)
                            SessionCookieRepository.context(user, issued).getAuthentication();
                } catch (dev.cronhook.api.error.BadCredentialsException e) {
                    throw new BadCredentialsException(e.getMessage());
                } catch (TooManySignInAttemptsException e) {
                    throw new SignInThrottledException(e.getMessage(), e.retryAfterSeconds());
                } catch (InvalidInputException e) {
                    throw new AuthenticationServiceException("missing");
                }
            });
        });
        var requestCache = new CookieServerRequestCache();
        var redirects = new DefaultServerRedirectStrategy();
        ServerAuthenticationFailureHandler failure = (filterExchange, e) -> e instanceof SignInThrottledException t
                ? throttled(filterExchange.getExchange(), t, views)
                // the form comes back with the username as it was typed (never the password)
                : filterExchange
                        .getExchange()
                        .getFormData()
                        .map(form -> String.valueOf(form.getFirst("username")))
                        .defaultIfEmpty("")
                        .flatMap(username -> redirects.sendRedirect(
                                filterExchange.getExchange(),
                                URI.create((e instanceof AuthenticationServiceException
                                                ? "/login?error=missing"
                                                : "/login?error=wrong")
                                        + (username.isBlank() || username.equals("null")
                                                ? ""
                                                : "&username="
                                                        + java.net.URLEncoder.encode(
                                                                username.strip(),
                                                                java.nio.charset.StandardCharsets.UTF_8)))));
        var success = new RedirectServerAuthenticationSuccessHandler("/scripts");
        success.setRequestCache(requestCache);
        var signedOut = new RedirectServerLogoutSuccessHandler();
        signedOut.setLogoutSuccessUrl(URI.create("/login?signedOut=1"));

        // every page path, those that lead nowhere too: their 404 page shows in the signed-in frame
        return http.securityMatcher(PagePaths.matcher())
                .securityContextRepository(sessions)
                .requestCache(c -> c.requestCache(requestCache))
                .csrf(c -> c.csrfTokenRepository(new CookieServerCsrfTokenRepository())
                        .accessDeniedHandler((exchange, e) -> plain(exchange, HttpStatus.FORBIDDEN, CSRF_FAILED)))
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(f -> f.loginPage("/login")
                        .authenticationManager(manager)
                        .securityContextRepository(sessions)
                        .authenticationSuccessHandler(success)
                        .authenticationFailureHandler(failure))
                .logout(l -> l.logoutUrl("/logout").logoutSuccessHandler(signedOut))
                .headers(h -> h.frameOptions(f -> f.mode(
                        org.springframework.security.web.server.header.XFrameOptionsServerHttpHeadersWriter.Mode.DENY)))
                .authorizeExchange(ex -> ex.pathMatchers(
                                "/login", "/assets/**", "/webjars/**", "/swagger-ui.html", "/swagger-ui/**")
                        .permitAll()
                        .anyExchange()
                        .authenticated())
                .exceptionHandling(ex -> ex.authenticationEntryPoint(entryPoint())
                        .accessDeniedHandler((exchange, e) -> plain(exchange, HttpStatus.FORBIDDEN, CSRF_FAILED)))
                .build();
    }

    /**
     * Too many failed sign-ins: the form again, answered 429 with Retry-After, saying how long to wait and keeping
     * the username that was typed.
     */
    private static Mono<Void> throttled(
            ServerWebExchange exchange, SignInThrottledException e, ObjectProvider<ViewResolver> views) {
        long seconds = e.retryAfterSeconds();
        exchange.getResponse().setStatusCode(HttpStatus.TOO_MANY_REQUESTS);
        exchange.getResponse().getHeaders().set("Retry-After", Long.toString(seconds));
        String wait = seconds < 90 ? seconds + " seconds" : (seconds + 59) / 60 + " minutes";
        var model = new HashMap<String, Object>();
        model.put("error", "Too many failed sign-ins. Wait " + wait + ", then try again.");
        model.put("signedOut", false);
        Mono<CsrfToken> csrf = exchange.getAttribute(CsrfToken.class.getName());
        return exchange.getFormData()
                .doOnNext(form -> model.put("username", form.getFirst("username")))
                .then(csrf == null ? Mono.<CsrfToken>empty() : csrf)
                .doOnNext(token -> model.put("_csrf", token))
                .then(views.orderedStream()
                        .map(resolver -> resolver.resolveViewName("login", Locale.ENGLISH))
                        .reduce(Mono.empty(), Mono::switchIfEmpty))
                .flatMap(view ->
                        view.render(model, MediaType.TEXT_HTML, exchange).thenReturn(true))
                .switchIfEmpty(
                        Mono.defer(() -> plain(exchange, HttpStatus.TOO_MANY_REQUESTS, (String) model.get("error"))
                                .thenReturn(true)))
                .then();
    }

    /** Pages redirect to the sign-in form; scripts' requests (JSON, event streams) get a plain 401. */
    private static ServerAuthenticationEntryPoint entryPoint() {
        var redirect = new RedirectServerAuthenticationEntryPoint("/login");
        return (exchange, e) -> {
            var accept = exchange.getRequest().getHeaders().getAccept();
            boolean page = accept.isEmpty() || accept.stream().anyMatch(m -> m.isCompatibleWith(MediaType.TEXT_HTML));
            if (page) return redirect.commence(exchange, e);
            return plain(exchange, HttpStatus.UNAUTHORIZED, "You are signed out; sign in again.");
        };
    }

    private static Mono<Void> plain(ServerWebExchange exchange, HttpStatus status, String message) {
        var response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8));
        var buffer = response.bufferFactory().wrap(message.getBytes(StandardCharsets.UTF_8));
        return response.writeWith(Mono.just(buffer));
    }
}

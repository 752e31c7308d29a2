package dev.cronhook.api.config;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.error.ProblemWriter;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.api.user.TokenService;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import reactor.core.publisher.Mono;

/**
 * The API's security: stateless bearer tokens on {@code /api/**}; health, metrics, the OpenAPI document and
 * login are open. Webhooks ({@code /hooks/**}) are outside every chain: a webhook's URL is its credential.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder(10);
    }

    @Bean
    SecurityWebFilterChain apiSecurity(ServerHttpSecurity http, TokenService tokens, ProblemWriter problems) {
        ReactiveAuthenticationManager manager =
                authentication -> Blocking.call(() -> tokens.authenticate((String) authentication.getCredentials()))
                        .flatMap(found -> found.map(SecurityConfiguration::authenticated)
                                .orElseGet(() -> Mono.error(new BadCredentialsException("invalid or expired token"))));
        var bearer = new AuthenticationWebFilter(manager);
        bearer.setServerAuthenticationConverter(exchange -> {
            String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return Mono.empty();
            return Mono.just(UsernamePasswordAuthenticationToken.unauthenticated(
                    null, header.substring(7).trim()));
        });
        bearer.setAuthenticationFailureHandler((filterExchange, e) -> problems.write(
                filterExchange.getExchange(),
                HttpStatus.UNAUTHORIZED,
                "Unauthorized",
                "the bearer token is invalid or has expired; sign in again (POST /api/auth/login)",
                null));
        bearer.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());

        return http.securityMatcher(
                        ServerWebExchangeMatchers.pathMatchers("/api/**", "/actuator/**", "/v3/api-docs/**"))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .addFilterAt(bearer, SecurityWebFiltersOrder.AUTHENTICATION)
                .authorizeExchange(ex -> ex.pathMatchers(
                                "/api/auth/login",
                                "/actuator/health",
                                "/actuator/health/**",
                                "/actuator/prometheus",
                                "/v3/api-docs",
                                "/v3/api-docs/**")
                        .permitAll()
                        .anyExchange()
                        .authenticated())
                .exceptionHandling(ex -> ex.authenticationEntryPoint((exchange, e) -> problems.write(
                                exchange,
                                HttpStatus.UNAUTHORIZED,
                                "Unauthorized",
                                "a bearer token is required: Authorization: Bearer <token> (POST /api/auth/login)",
                                null))
                        .accessDeniedHandler((exchange, e) ->
                                problems.write(exchange, HttpStatus.FORBIDDEN, "Forbidden", e.getMessage(), null)))
                .build();
    }

    private static Mono<org.springframework.security.core.Authentication> authenticated(CurrentUser user) {
        var authorities = user.admin()
                ? List.of(new SimpleGrantedAuthority("ROLE_USER"), new SimpleGrantedAuthority("ROLE_ADMIN"))
                : List.of(new SimpleGrantedAuthority("ROLE_USER"));
        return Mono.just(UsernamePasswordAuthenticationToken.authenticated(user, null, authorities));
    }
}

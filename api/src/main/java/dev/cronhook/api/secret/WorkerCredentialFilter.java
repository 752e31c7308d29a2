package dev.cronhook.api.secret;

import dev.cronhook.api.error.ProblemWriter;
import dev.cronhook.core.secret.WorkerCredential;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Lets a request to {@code /internal/**} through only with the workers' credential ({@code
 * CRONHOOK_INTERNAL_TOKEN} in {@link WorkerCredential#HEADER}): a queue message (a run's token) grants nothing by
 * itself. Without it: 401; with another: 403.
 */
@Component
public class WorkerCredentialFilter implements WebFilter, Ordered {
    private final String expected;
    private final ProblemWriter problems;

    public WorkerCredentialFilter(@Value("${cronhook.internal-token:}") String expected, ProblemWriter problems) {
        this.expected = expected;
        this.problems = problems;
    }

    @Override
    public int getOrder() {
        // after the management port's filter (which answers 404 to /internal on the public port), before security
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.equals("/internal") && !path.startsWith("/internal/")) return chain.filter(exchange);
        String given = exchange.getRequest().getHeaders().getFirst(WorkerCredential.HEADER);
        if (given == null || given.isBlank()) {
            return problems.write(
                    exchange,
                    HttpStatus.UNAUTHORIZED,
                    "Unauthorized",
                    "internal endpoints are for workers: send the workers' credential (CRONHOOK_INTERNAL_TOKEN) in "
                            + WorkerCredential.HEADER,
                    null);
        }
        if (!WorkerCredential.matches(expected, given.trim())) {
            return problems.write(
                    exchange, HttpStatus.FORBIDDEN, "Forbidden", "the workers' credential is not valid", null);
        }
        return chain.filter(exchange);
    }
}

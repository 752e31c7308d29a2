package dev.cronhook.api.error;

import dev.cronhook.core.validation.Violation;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** Writes RFC 9457 problem documents ({@code application/problem+json}). */
@Component
public class ProblemWriter {
    private final JsonMapper json;

    public ProblemWriter(JsonMapper json) {
        this.json = json;
    }

    public Mono<Void> write(
            ServerWebExchange exchange, HttpStatus status, String title, String detail, List<Violation> errors) {
        var response = exchange.getResponse();
        if (response.isCommitted()) return Mono.empty();
        var body =
                document(status, title, detail, exchange.getRequest().getPath().value(), errors);
        byte[] bytes = json.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getHeaders().setContentLength(bytes.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }

    /** A problem document's fields, in order; {@code instance} and {@code errors} only when there are some. */
    public static Map<String, Object> document(
            HttpStatus status, String title, String detail, String instance, List<?> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status.value());
        body.put("detail", detail);
        if (instance != null) body.put("instance", instance);
        if (errors != null && !errors.isEmpty()) body.put("errors", errors);
        return body;
    }
}

package dev.cronhook.web.tryout;

import dev.cronhook.api.error.ProblemException;
import dev.cronhook.api.error.ProblemWriter;
import dev.cronhook.api.tryout.TryOutBody;
import dev.cronhook.api.tryout.TryOuts;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.validation.InvalidInputException;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;

/**
 * The editor's "Try it" button: the page posts {@code {code, dependencies, event}} here with the browser's session
 * (CSRF-checked) and reads the try-out's events as they happen, exactly as {@code POST /api/try-out} with
 * {@code Accept: text/event-stream} gives them (the api's {@link TryOuts}, in this process). Errors before the
 * first event (bad input, no try-out worker up) are problem documents, as the API's.
 */
@RestController
public class TryOutBridge {
    private final TryOuts tryOuts;

    public TryOutBridge(TryOuts tryOuts) {
        this.tryOuts = tryOuts;
    }

    @PostMapping(
            path = "/scripts/try",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<Object>> tryOut(@AuthenticationPrincipal CurrentUser user, @RequestBody TryOutBody body) {
        return tryOuts.serverSentEvents(user.id(), body);
    }

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<Map<String, Object>> problem(ProblemException e, ServerWebExchange exchange) {
        return problem(e.status(), e.title(), e.getMessage(), null, exchange);
    }

    @ExceptionHandler(InvalidInputException.class)
    ResponseEntity<Map<String, Object>> invalid(InvalidInputException e, ServerWebExchange exchange) {
        return problem(
                HttpStatus.BAD_REQUEST,
                "Invalid request",
                "the request has " + e.violations().size() + " invalid field(s): " + e.getMessage(),
                e.violations(),
                exchange);
    }

    private static ResponseEntity<Map<String, Object>> problem(
            HttpStatus status, String title, String detail, List<?> errors, ServerWebExchange exchange) {
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemWriter.document(
                        status, title, detail, exchange.getRequest().getPath().value(), errors));
    }
}

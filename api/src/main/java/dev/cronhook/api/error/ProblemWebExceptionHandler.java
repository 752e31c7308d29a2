package dev.cronhook.api.error;

import dev.cronhook.core.validation.InvalidInputException;
import dev.cronhook.core.validation.Violation;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.annotation.Order;
import org.springframework.core.codec.DecodingException;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.stereotype.Component;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/** Answers every error of every endpoint with a problem document that says what was wrong. */
@Component
@Order(-2)
public class ProblemWebExceptionHandler implements WebExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemWebExceptionHandler.class);
    private final ProblemWriter writer;
    private final List<BackendFailures> backends;

    public ProblemWebExceptionHandler(ProblemWriter writer, List<BackendFailures> backends) {
        this.writer = writer;
        this.backends = backends;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        return switch (ex) {
            case ProblemException p -> {
                p.headers()
                        .forEach((k, v) -> exchange.getResponse().getHeaders().set(k, v));
                yield writer.write(exchange, p.status(), p.title(), p.getMessage(), null);
            }
            case InvalidInputException v ->
                writer.write(
                        exchange,
                        HttpStatus.BAD_REQUEST,
                        "Invalid request",
                        "the request has " + v.violations().size() + " invalid field(s): " + v.getMessage(),
                        v.violations());
            case UnsupportedMediaTypeStatusException u ->
                writer.write(
                        exchange,
                        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                        "Unsupported media type",
                        "Content-Type " + (u.getContentType() == null ? "(none)" : u.getContentType())
                                + " is not supported; send application/json",
                        null);
            case MethodNotAllowedException m ->
                writer.write(
                        exchange,
                        HttpStatus.METHOD_NOT_ALLOWED,
                        "Method not allowed",
                        m.getHttpMethod() + " is not allowed here; allowed: " + m.getSupportedMethods(),
                        null);
            case NotAcceptableStatusException n ->
                writer.write(exchange, HttpStatus.NOT_ACCEPTABLE, "Not acceptable", n.getReason(), null);
            case ServerWebInputException in -> badInput(exchange, in);
            case org.springframework.http.InvalidMediaTypeException m ->
                writer.write(exchange, HttpStatus.BAD_REQUEST, "Bad request", m.getMessage(), null);
            case ServerExchangeRejectedException r ->
                writer.write(exchange, HttpStatus.BAD_REQUEST, "Bad request", r.getMessage(), null);
            case Throwable t
            when BackendFailures.unavailable(backends, t).isPresent() -> {
                String what = BackendFailures.unavailable(backends, t).orElseThrow();
                log.warn("{} unavailable on {}: {}", what, exchange.getRequest().getPath(), t.toString());
                yield writer.write(
                        exchange,
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "Service unavailable",
                        what + " is unavailable, nothing was accepted; retry later",
                        null);
            }
            case AuthenticationException a ->
                writer.write(
                        exchange,
                        HttpStatus.UNAUTHORIZED,
                        "Unauthorized",
                        "a valid bearer token is required (POST /api/auth/login)",
                        null);
            case AccessDeniedException d ->
                writer.write(exchange, HttpStatus.FORBIDDEN, "Forbidden", d.getMessage(), null);
            case ResponseStatusException r -> {
                var status = HttpStatus.resolve(r.getStatusCode().value());
                if (status == null) status = HttpStatus.INTERNAL_SERVER_ERROR;
                String detail =
                        switch (status) {
                            case NOT_FOUND ->
                                "nothing at " + exchange.getRequest().getPath().value();
                            case CONTENT_TOO_LARGE -> "the request body is larger than this endpoint accepts";
                            default -> r.getReason() == null ? status.getReasonPhrase() : r.getReason();
                        };
                yield writer.write(exchange, status, status.getReasonPhrase(), detail, null);
            }
            default -> {
                log.error("unhandled error on {}", exchange.getRequest().getPath(), ex);
                yield writer.write(
                        exchange,
                        HttpStatus.INTERNAL_SERVER_ERROR,
                        "Internal error",
                        "something went wrong on our side; it has been logged",
                        null);
            }
        };
    }

    private Mono<Void> badInput(ServerWebExchange exchange, ServerWebInputException in) {
        Throwable cause = in;
        while (cause != null && !(cause instanceof JacksonException)) cause = cause.getCause();
        String detail;
        List<Violation> errors = null;
        switch (cause) {
            case UnrecognizedPropertyException u -> {
                detail = "unknown field '" + u.getPropertyName() + "'";
                errors = List.of(new Violation(path(u), "unknown field"));
            }
            case InvalidFormatException f
            when f.getTargetType() == String.class -> {
                // a string the API refuses as it is read (NUL): say why, not the value
                detail = "field '" + path(f) + "' " + f.getOriginalMessage();
                errors = List.of(new Violation(path(f), f.getOriginalMessage()));
            }
            case InvalidFormatException f -> {
                detail = "field '" + path(f) + "' has a value of the wrong type";
                errors = List.of(new Violation(path(f), "wrong type: " + f.getValue()));
            }
            case MismatchedInputException m -> {
                String field = path(m);
                detail = field.isEmpty()
                        ? "the body must be a JSON object of the documented shape"
                        : "field '" + field + "' has a value of the wrong type";
                if (!field.isEmpty()) errors = List.of(new Violation(field, "wrong type"));
            }
            case StreamReadException s ->
                detail = "malformed JSON: " + s.getOriginalMessage() + " at line "
                        + s.getLocation().getLineNr() + ", column "
                        + s.getLocation().getColumnNr();
            case null -> {
                if (in.getCause() instanceof TypeMismatchException t) {
                    detail = "'" + t.getValue() + "' is not a valid " + describe(in);
                } else if (in.getCause() instanceof DecodingException d) detail = d.getMessage();
                else if (in.getReason() != null && in.getReason().contains("body is missing"))
                    detail = "the request body is missing";
                else detail = in.getReason();
            }
            default -> detail = "the body could not be read: " + ((JacksonException) cause).getOriginalMessage();
        }
        return writer.write(exchange, HttpStatus.BAD_REQUEST, "Bad request", detail, errors);
    }

    private static String describe(ServerWebInputException in) {
        var parameter = in.getMethodParameter();
        if (parameter == null || parameter.getParameterName() == null) return "value";
        return parameter.getParameterName() + " (expected "
                + parameter.getParameterType().getSimpleName() + ")";
    }

    private static String path(MismatchedInputException e) {
        var sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}

package dev.cronhook.web.page;

import dev.cronhook.api.error.BackendFailures;
import dev.cronhook.api.error.ProblemException;
import dev.cronhook.api.user.CurrentUser;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;

/**
 * What every page gets (the signed-in user, the CSRF token, time formatting) and how a page shows an error the
 * api raised that the page itself did not handle: the error page with the api's own words.
 */
@ControllerAdvice(basePackages = "dev.cronhook.web")
public class PageModel {
    private static final Times TIMES = new Times();

    /** The operator said user code may run outside a sandbox (a single-user laptop): every page says so. */
    private final boolean unsafeRuntime;

    private final java.util.List<BackendFailures> backends;

    public PageModel(
            @org.springframework.beans.factory.annotation.Value("${cronhook.executor.unsafe-process-runtime:false}")
                    boolean unsafeRuntime,
            java.util.List<BackendFailures> backends) {
        this.unsafeRuntime = unsafeRuntime;
        this.backends = backends;
    }

    @ModelAttribute
    Mono<Void> common(Model model, ServerWebExchange exchange) {
        model.addAttribute("times", TIMES);
        model.addAttribute("unsafeRuntime", unsafeRuntime);
        model.addAttribute("path", exchange.getRequest().getPath().value());
        Mono<CsrfToken> csrf = exchange.getAttribute(CsrfToken.class.getName());
        var user = ReactiveSecurityContextHolder.getContext()
                .mapNotNull(c -> c.getAuthentication() == null
                        ? null
                        : c.getAuthentication().getPrincipal())
                .ofType(CurrentUser.class)
                .doOnNext(u -> model.addAttribute("me", u));
        var token = csrf == null ? Mono.<CsrfToken>empty() : csrf.doOnNext(t -> model.addAttribute("_csrf", t));
        return Mono.when(user, token);
    }

    @ExceptionHandler(ProblemException.class)
    Mono<Rendering> problem(ProblemException e, ServerWebExchange exchange) {
        return errorPage(e.status(), e.title(), e.getMessage(), exchange);
    }

    /** A backend that is down (Redis) makes a "retry later" page; anything else goes on to the error handling. */
    @ExceptionHandler(RuntimeException.class)
    Mono<Rendering> backendDown(RuntimeException e, ServerWebExchange exchange) {
        return BackendFailures.unavailable(backends, e)
                .map(what -> errorPage(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "Service unavailable",
                        what + " is unavailable, nothing was accepted; retry later",
                        exchange))
                .orElseGet(() -> Mono.error(e));
    }

    /** A page address whose id is not even an id ({@code /scripts/abc}) leads nowhere, like an unknown path. */
    @ExceptionHandler(ServerWebInputException.class)
    Mono<Rendering> badPathVariable(ServerWebInputException e, ServerWebExchange exchange) {
        var parameter = e.getMethodParameter();
        if (e.getCause() instanceof TypeMismatchException
                && parameter != null
                && parameter.hasParameterAnnotation(PathVariable.class)) {
            return errorPage(
                    HttpStatus.NOT_FOUND,
                    "Page not found",
                    "There is no page at " + exchange.getRequest().getPath().value() + ".",
                    exchange);
        }
        return Mono.error(e);
    }

    /** An exception handler gets a model of its own: it is given what every page gets here. */
    private Mono<Rendering> errorPage(HttpStatus status, String title, String detail, ServerWebExchange exchange) {
        var model = new org.springframework.ui.ConcurrentModel();
        return common(model, exchange).then(Mono.fromSupplier(() -> Rendering.view("error")
                .status(status)
                .model(model.asMap())
                .modelAttribute("title", title)
                .modelAttribute("detail", detail)
                .build()));
    }
}

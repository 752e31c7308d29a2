package dev.cronhook.web.page;

import dev.cronhook.api.error.ProblemException;
import dev.cronhook.api.user.CurrentUser;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * What every page gets (the signed-in user, the CSRF token, time formatting) and how a page shows an error the
 * api raised that the page itself did not handle: the error page with the api's own words.
 */
@ControllerAdvice(basePackages = "dev.cronhook.web")
public class PageModel {
    private static final Times TIMES = new Times();

    @ModelAttribute
    Mono<Void> common(Model model, ServerWebExchange exchange) {
        model.addAttribute("times", TIMES);
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
    Rendering problem(ProblemException e) {
        return Rendering.view("error")
                .status(e.status())
                .modelAttribute("title", e.title())
                .modelAttribute("detail", e.getMessage())
                .build();
    }

    @ExceptionHandler(io.lettuce.core.RedisException.class)
    Rendering redis(RuntimeException e) {
        return Rendering.view("error")
                .status(HttpStatus.SERVICE_UNAVAILABLE)
                .modelAttribute("title", "Service unavailable")
                .modelAttribute("detail", "the queue (Redis) is unavailable, nothing was accepted; retry later")
                .build();
    }
}

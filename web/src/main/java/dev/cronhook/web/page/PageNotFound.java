package dev.cronhook.web.page;

import java.util.List;
import java.util.Locale;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.ui.ConcurrentModel;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A page path that leads nowhere gets the error page in the signed-in frame (404, HTML) instead of the API's
 * problem document. Runs after the security filters, so the page knows who is signed in; API paths, and callers
 * that do not accept HTML, keep the problem document.
 */
@Component
public class PageNotFound implements WebFilter, Ordered {
    private final PageModel pages;
    private final List<ViewResolver> views;

    public PageNotFound(PageModel pages, List<ViewResolver> views) {
        this.pages = pages;
        this.views = views;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return chain.filter(exchange)
                .onErrorResume(
                        e -> e instanceof ResponseStatusException r
                                && r.getStatusCode().value() == 404
                                && !exchange.getResponse().isCommitted(),
                        e -> PagePaths.matcher()
                                .matches(exchange)
                                .flatMap(match ->
                                        match.isMatch() && acceptsHtml(exchange) ? render(exchange) : Mono.error(e)));
    }

    private static boolean acceptsHtml(ServerWebExchange exchange) {
        var accept = exchange.getRequest().getHeaders().getAccept();
        return accept.isEmpty() || accept.stream().anyMatch(m -> m.isCompatibleWith(MediaType.TEXT_HTML));
    }

    private Mono<Void> render(ServerWebExchange exchange) {
        var model = new ConcurrentModel();
        return pages.common(model, exchange).then(Mono.defer(() -> {
            model.addAttribute("title", "Page not found");
            model.addAttribute(
                    "detail",
                    "There is no page at " + exchange.getRequest().getPath().value() + ".");
            exchange.getResponse().setStatusCode(HttpStatus.NOT_FOUND);
            return Flux.fromIterable(views)
                    .concatMap(resolver -> resolver.resolveViewName("error", Locale.ROOT))
                    .next()
                    .switchIfEmpty(Mono.error(new IllegalStateException("no view named error")))
                    .flatMap(view -> view.render(model.asMap(), MediaType.TEXT_HTML, exchange));
        }));
    }
}

package dev.cronhook.web.page;

import java.util.List;
import org.springframework.security.web.server.util.matcher.NegatedServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;

/**
 * Which paths are the web UI's: every path that is not the API's, a webhook's, an internal endpoint's, the
 * actuator's or the OpenAPI document's. Those keep their own security and their problem documents.
 */
public final class PagePaths {
    private static final List<String> NOT_PAGES =
            List.of("/api/**", "/hooks/**", "/internal/**", "/actuator/**", "/v3/api-docs/**");

    private PagePaths() {}

    /** Matches the pages' paths. */
    public static ServerWebExchangeMatcher matcher() {
        return new NegatedServerWebExchangeMatcher(
                ServerWebExchangeMatchers.pathMatchers(NOT_PAGES.toArray(String[]::new)));
    }
}

package dev.cronhook.app.management;

import java.net.InetSocketAddress;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * What each port serves, told by the port a request arrived on (never by anything the caller sends): the
 * management port serves {@code /internal/**} and {@code /actuator/**} and nothing else; the public port serves
 * everything else, and of the actuator only health (load balancers' and Kubernetes' probes). Anything else is
 * answered as an unknown path is: 404.
 */
public final class ManagementPortFilter implements WebFilter, Ordered {
    private final ManagementServer management;

    public ManagementPortFilter(ManagementServer management) {
        this.management = management;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        boolean internal = under(path, "/internal");
        boolean actuator = under(path, "/actuator");
        boolean health = under(path, "/actuator/health");
        boolean allowed = onManagementPort(exchange) ? internal || actuator : !internal && (!actuator || health);
        return allowed ? chain.filter(exchange) : Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND));
    }

    private boolean onManagementPort(ServerWebExchange exchange) {
        InetSocketAddress local = exchange.getRequest().getLocalAddress();
        int port = management.port();
        return local != null && port > 0 && local.getPort() == port;
    }

    private static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }
}

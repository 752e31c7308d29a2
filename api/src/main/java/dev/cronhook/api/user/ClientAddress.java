package dev.cronhook.api.user;

import org.springframework.http.server.reactive.ServerHttpRequest;

/** Who is calling, as sign-in throttling counts it. */
public final class ClientAddress {
    private ClientAddress() {}

    /** The connection's peer (behind a proxy, set server.forward-headers-strategy so it is the client's). */
    public static String of(ServerHttpRequest request) {
        var remote = request.getRemoteAddress();
        if (remote == null) return "unknown";
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }
}

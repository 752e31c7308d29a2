package dev.cronhook.app.management;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.Shutdown;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * A second HTTP server of the process, on {@code CRONHOOK_MANAGEMENT_PORT} at {@code CRONHOOK_MANAGEMENT_BIND}
 * (127.0.0.1 unless told), in front of the same handler as the public one; {@link ManagementPortFilter} decides
 * what each of them serves. Started and stopped with the public server.
 */
public final class ManagementServer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);

    private final ObjectProvider<HttpHandler> handler;
    private final ObjectProvider<ReactorResourceFactory> resources;
    private final Environment environment;
    private volatile WebServer server;
    private volatile int port = -1;

    public ManagementServer(
            ObjectProvider<HttpHandler> handler,
            ObjectProvider<ReactorResourceFactory> resources,
            Environment environment) {
        this.handler = handler;
        this.resources = resources;
        this.environment = environment;
    }

    /** The port it listens on once started; -1 before. */
    public int port() {
        return port;
    }

    /** The address it is bound to. */
    public String address() {
        return environment.getProperty("cronhook.management.address", "127.0.0.1");
    }

    @Override
    public void start() {
        int configured = environment.getProperty("cronhook.management.port", Integer.class, 8081);
        if (configured < 0) {
            log.info(
                    "No management server (CRONHOOK_MANAGEMENT_PORT {}): /internal and metrics are served nowhere",
                    configured);
            return;
        }
        int publicPort = environment.getProperty("server.port", Integer.class, 8080);
        if (configured != 0 && configured == publicPort) {
            throw new IllegalStateException("CRONHOOK_MANAGEMENT_PORT must differ from CRONHOOK_PORT (both "
                    + configured + "): internal endpoints are never served on the public port");
        }
        var factory = new NettyReactiveWebServerFactory(configured);
        try {
            factory.setAddress(InetAddress.getByName(address()));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("CRONHOOK_MANAGEMENT_BIND " + address() + " is not an address", e);
        }
        factory.setShutdown(Shutdown.GRACEFUL);
        var resourceFactory = resources.getIfAvailable();
        if (resourceFactory != null) factory.setResourceFactory(resourceFactory);
        Duration idle = environment.getProperty("server.netty.idle-timeout", Duration.class);
        if (idle != null) factory.addServerCustomizers(http -> http.idleTimeout(idle));
        var started = factory.getWebServer(handler.getObject());
        started.start();
        server = started;
        port = started.getPort();
        log.info("Management server (internal endpoints, metrics) on {}:{}", address(), port);
    }

    @Override
    public void stop() {
        var s = server;
        if (s != null) s.stop();
        server = null;
    }

    /** Lets the requests in flight (an executor fetching a run's secrets) finish first, as the public server does. */
    @Override
    public void stop(Runnable callback) {
        var s = server;
        if (s == null) {
            callback.run();
            return;
        }
        s.shutDownGracefully(result -> {
            stop();
            callback.run();
        });
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        // the public server's graceful shutdown phase: started after the public server, drained with it
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }
}

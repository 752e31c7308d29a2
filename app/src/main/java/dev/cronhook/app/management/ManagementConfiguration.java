package dev.cronhook.app.management;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * The management port: internal endpoints and metrics on a server of their own (see {@link ManagementServer}).
 * Spring Boot's {@code management.server.port} would move the actuator only, not {@code /internal}, which is an
 * ordinary controller of the api; so both servers share one handler and a filter tells them apart.
 */
@Configuration(proxyBeanMethods = false)
public class ManagementConfiguration {

    @Bean
    ManagementServer managementServer(
            ObjectProvider<HttpHandler> handler,
            ObjectProvider<ReactorResourceFactory> resources,
            Environment environment) {
        return new ManagementServer(handler, resources, environment);
    }

    @Bean
    ManagementPortFilter managementPortFilter(ManagementServer server) {
        return new ManagementPortFilter(server);
    }

    @Bean
    MetricsTokenFilter metricsTokenFilter(Environment environment) {
        return new MetricsTokenFilter(environment.getProperty("cronhook.metrics.token", ""));
    }
}

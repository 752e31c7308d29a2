package dev.cronhook.app.headers;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires {@link SecurityHeaders} for every role that serves HTTP. */
@Configuration(proxyBeanMethods = false)
public class SecurityHeadersConfiguration {

    @Bean
    SecurityHeaders securityHeaders(@Value("${cronhook.public-url:}") String publicUrl) {
        return new SecurityHeaders(publicUrl);
    }
}

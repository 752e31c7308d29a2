package dev.cronhook.api.user;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Sign-in settings (cronhook.auth.*): the lifetimes of a login's bearer token and of a browser's sign-in session,
 * and the sign-in throttle.
 */
@ConfigurationProperties("cronhook.auth")
public record AuthProperties(
        @DefaultValue("12h") Duration tokenTtl,
        @DefaultValue("12h") Duration sessionTtl,
        @DefaultValue Throttle throttle) {

    /**
     * After {@code freeFailures} failed attempts in a row for one account ({@code addressFreeFailures} for one client
     * address), every further attempt waits {@code firstDelay}, doubling with each failure up to {@code maxDelay};
     * failures are forgotten {@code resetAfter} after the last one (and an account's at its next sign-in).
     */
    public record Throttle(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("5") int freeFailures,
            @DefaultValue("20") int addressFreeFailures,
            @DefaultValue("1s") Duration firstDelay,
            @DefaultValue("15m") Duration maxDelay,
            @DefaultValue("1h") Duration resetAfter) {}
}

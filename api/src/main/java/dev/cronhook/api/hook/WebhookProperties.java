package dev.cronhook.api.hook;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** Webhook ingress settings (cronhook.webhooks.*). */
@ConfigurationProperties("cronhook.webhooks")
public record WebhookProperties(
        @DefaultValue("30s") Duration syncTimeout,
        @DefaultValue("1MB") DataSize maxBodySize,
        @DefaultValue("100") int rateLimitPerSecond,
        @DefaultValue("24h") Duration idempotencyWindow) {}

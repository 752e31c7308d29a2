package dev.cronhook.api.script;

import java.security.SecureRandom;
import java.util.Base64;

/** Webhook tokens: 192 random bits, URL-safe. */
final class WebhookTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookTokens() {}

    static String next() {
        byte[] raw = new byte[24];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}

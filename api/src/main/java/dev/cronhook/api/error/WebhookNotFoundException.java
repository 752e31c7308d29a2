package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** No script answers at this webhook URL (unknown token, script deleted, or its webhook turned off). */
public class WebhookNotFoundException extends ProblemException {
    public WebhookNotFoundException() {
        super(HttpStatus.NOT_FOUND, "Webhook not found", "no script answers at this webhook URL");
    }
}

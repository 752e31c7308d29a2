package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** The webhook call's HMAC signature is missing or does not match the body. */
public class WebhookSignatureInvalidException extends ProblemException {
    public WebhookSignatureInvalidException(String header) {
        super(
                HttpStatus.UNAUTHORIZED,
                "Invalid signature",
                "the " + header
                        + " header is missing or is not the HMAC-SHA256 of the body with this webhook's secret");
    }
}

package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** A try-out did not end within the time its caller waits: answered with 504. */
public class TryOutTimedOutException extends ProblemException {
    public TryOutTimedOutException(String detail) {
        super(HttpStatus.GATEWAY_TIMEOUT, "Try-out timed out", detail);
    }
}

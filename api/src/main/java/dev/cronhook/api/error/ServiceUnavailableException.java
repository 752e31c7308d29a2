package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** Service unavailable: answered with SERVICE_UNAVAILABLE. */
public class ServiceUnavailableException extends ProblemException {
    public ServiceUnavailableException(String detail) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable", detail);
    }
}

package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** Bad credentials: answered with UNAUTHORIZED. */
public class BadCredentialsException extends ProblemException {
    public BadCredentialsException(String detail) {
        super(HttpStatus.UNAUTHORIZED, "Bad credentials", detail);
    }
}

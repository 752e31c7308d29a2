package dev.cronhook.web.signin;

import org.springframework.security.core.AuthenticationException;

/** The sign-in form was used too often with a wrong password: the form answers 429 and says when to retry. */
class SignInThrottledException extends AuthenticationException {
    private final long retryAfterSeconds;

    SignInThrottledException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

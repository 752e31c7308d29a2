package dev.cronhook.api.error;

import java.util.Map;
import org.springframework.http.HttpStatus;

/** Too many failed sign-ins for an account or from an address: answered 429 with Retry-After. */
public class TooManySignInAttemptsException extends ProblemException {
    private final long retryAfterSeconds;

    public TooManySignInAttemptsException(long retryAfterSeconds) {
        super(
                HttpStatus.TOO_MANY_REQUESTS,
                "Too many sign-in attempts",
                "too many failed sign-ins for this user or from this address; retry after " + retryAfterSeconds + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Retry-After", Long.toString(retryAfterSeconds));
    }
}

package dev.cronhook.api.error;

import java.util.Map;
import org.springframework.http.HttpStatus;

/** Too many calls of one script's webhook: answered 429 with Retry-After. */
public class RateLimitedException extends ProblemException {
    private final long retryAfterSeconds;

    public RateLimitedException(int limitPerSecond, long retryAfterSeconds) {
        super(
                HttpStatus.TOO_MANY_REQUESTS,
                "Rate limit exceeded",
                "this webhook accepts at most " + limitPerSecond + " calls per second; retry after " + retryAfterSeconds
                        + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Retry-After", Long.toString(retryAfterSeconds));
    }
}

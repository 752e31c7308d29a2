package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** An error with the HTTP status and title it is answered with, as an RFC 9457 problem document. */
public abstract class ProblemException extends RuntimeException {
    private final HttpStatus status;
    private final String title;

    protected ProblemException(HttpStatus status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** Extra response headers this error is answered with (e.g. Retry-After). */
    public java.util.Map<String, String> headers() {
        return java.util.Map.of();
    }
}

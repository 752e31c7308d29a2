package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** A secret, token or other named thing the caller asked for does not exist (or is not theirs): NOT_FOUND. */
public class ResourceNotFoundException extends ProblemException {
    public ResourceNotFoundException(String what) {
        super(HttpStatus.NOT_FOUND, "Not found", "no " + what);
    }
}

package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** An environment the caller does not have: NOT_FOUND, naming it and the ones they have. */
public class EnvironmentNotFoundException extends ProblemException {
    public EnvironmentNotFoundException(String name, java.util.List<String> known) {
        super(
                HttpStatus.NOT_FOUND,
                "Unknown environment",
                "no environment named '" + name + "'; yours are " + String.join(", ", known));
    }
}

package dev.cronhook.api.error;

import java.util.UUID;
import org.springframework.http.HttpStatus;

/** Script not found: answered with NOT_FOUND. */
public class ScriptNotFoundException extends ProblemException {
    public ScriptNotFoundException(UUID id) {
        super(HttpStatus.NOT_FOUND, "Script not found", "no script with id " + id);
    }
}

package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** Name taken: answered with CONFLICT. */
public class ScriptNameTakenException extends ProblemException {
    public ScriptNameTakenException(String name) {
        super(HttpStatus.CONFLICT, "Name taken", "you already have a script named '" + name + "'");
    }

    public ScriptNameTakenException(String name, String environment) {
        super(HttpStatus.CONFLICT, "Name taken", "you already have a script named '" + name + "' in " + environment);
    }
}

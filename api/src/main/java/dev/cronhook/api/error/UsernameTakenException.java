package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** Username taken: answered with CONFLICT. */
public class UsernameTakenException extends ProblemException {
    public UsernameTakenException(String name) {
        super(HttpStatus.CONFLICT, "Username taken", "a user named '" + name + "' exists already");
    }
}

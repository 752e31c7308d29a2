package dev.cronhook.api.error;

import java.util.UUID;
import org.springframework.http.HttpStatus;

/** No user with that id: answered 404. */
public class UserNotFoundException extends ProblemException {
    public UserNotFoundException(UUID id) {
        super(HttpStatus.NOT_FOUND, "User not found", "there is no user " + id);
    }
}

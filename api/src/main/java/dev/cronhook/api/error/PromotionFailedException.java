package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** A promotion that cannot be made (nothing deployed in the source, a script missing there): CONFLICT. */
public class PromotionFailedException extends ProblemException {
    public PromotionFailedException(String detail) {
        super(HttpStatus.CONFLICT, "Cannot promote", detail);
    }
}

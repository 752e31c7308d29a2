package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** A change to a script of a protected environment other than a promotion: FORBIDDEN. */
public class EnvironmentProtectedException extends ProblemException {
    public EnvironmentProtectedException(String environment) {
        super(
                HttpStatus.FORBIDDEN,
                "Environment protected",
                "environment " + environment + " is protected: only promote changes its scripts");
    }
}

package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** Version not found: answered with NOT_FOUND. */
public class VersionNotFoundException extends ProblemException {
    public VersionNotFoundException(int version) {
        super(HttpStatus.NOT_FOUND, "Version not found", "the script has no version " + version);
    }
}

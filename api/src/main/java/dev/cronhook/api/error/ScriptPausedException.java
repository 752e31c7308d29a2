package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** The script behind a webhook is paused: its webhook takes no calls until it is resumed. */
public class ScriptPausedException extends ProblemException {
    public ScriptPausedException() {
        super(
                HttpStatus.CONFLICT,
                "Script paused",
                "the script is paused: its webhook takes no calls until it is resumed"
                        + " (POST /api/scripts/{id}/resume)");
    }
}

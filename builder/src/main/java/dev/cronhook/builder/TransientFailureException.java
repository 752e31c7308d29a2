package dev.cronhook.builder;

/** A step failed for a reason that may go away (a registry that cannot be reached): worth another attempt. */
public class TransientFailureException extends Exception {
    public TransientFailureException(String reason) {
        super(reason);
    }

    public TransientFailureException(String reason, Throwable cause) {
        super(reason, cause);
    }
}

package dev.cronhook.builder;

/**
 * A build cannot succeed with these inputs (a package that does not exist, a range nothing matches, a tree over
 * the size limit) or kept failing after its retries; the message is the reason the user sees.
 */
public class BuildFailedException extends Exception {
    public BuildFailedException(String reason) {
        super(reason);
    }

    public BuildFailedException(String reason, Throwable cause) {
        super(reason, cause);
    }
}

package dev.cronhook.executor.runtime;

import dev.cronhook.core.run.HttpReply;
import dev.cronhook.core.run.RunStatus;

/**
 * How one invocation ended: a final status with the result JSON or the HTTP reply, or the error. {@code sandboxId}
 * names the container or process that served it and {@code warm} says whether it had served before.
 */
public record Outcome(
        RunStatus status, String resultJson, HttpReply reply, String error, String sandboxId, boolean warm) {

    static Outcome failed(String error, String sandboxId, boolean warm) {
        return new Outcome(RunStatus.FAILED, null, null, error, sandboxId, warm);
    }

    static Outcome of(RunStatus status, String error, String sandboxId, boolean warm) {
        return new Outcome(status, null, null, error, sandboxId, warm);
    }

    Outcome warm(boolean warm) {
        return new Outcome(status, resultJson, reply, error, sandboxId, warm);
    }
}

package dev.cronhook.core.run;

import dev.cronhook.core.wire.Wire;
import java.util.UUID;

/**
 * How a run ended, whatever reported it (the executor's published result, the database's record): one case per way a
 * run can end. The result and reply are the JSON they were published or recorded as.
 */
public sealed interface RunEnd {
    UUID runId();

    /** The final status this end is. */
    RunStatus status();

    /** The script returned a value: its JSON ({@code null} when it returned nothing). */
    record Succeeded(UUID runId, String resultJson) implements RunEnd {
        public RunStatus status() {
            return RunStatus.SUCCEEDED;
        }
    }

    /** The script answered with an HTTP reply of its own. */
    record Replied(UUID runId, HttpReply reply) implements RunEnd {
        public RunStatus status() {
            return RunStatus.SUCCEEDED;
        }
    }

    /** The script, its sandbox or the platform failed the run, saying why. */
    record Failed(UUID runId, String error) implements RunEnd {
        public RunStatus status() {
            return RunStatus.FAILED;
        }
    }

    /** The run outlived its timeout. */
    record TimedOut(UUID runId, String error) implements RunEnd {
        public RunStatus status() {
            return RunStatus.TIMED_OUT;
        }
    }

    /** A user cancelled the run. */
    record Cancelled(UUID runId, String error) implements RunEnd {
        public RunStatus status() {
            return RunStatus.CANCELLED;
        }
    }

    /**
     * The end a final status with its result, reply (JSON text, null for none) and error make; throws for a status
     * that is not final.
     */
    static RunEnd of(UUID runId, RunStatus status, String resultJson, String replyJson, String error) {
        return of(
                runId,
                status,
                resultJson,
                replyJson == null ? null : Wire.json().readValue(replyJson, HttpReply.class),
                error);
    }

    /** As above with the reply read already. */
    static RunEnd of(UUID runId, RunStatus status, String resultJson, HttpReply reply, String error) {
        return switch (status) {
            case SUCCEEDED -> reply != null ? new Replied(runId, reply) : new Succeeded(runId, resultJson);
            case FAILED -> new Failed(runId, error);
            case TIMED_OUT -> new TimedOut(runId, error);
            case CANCELLED -> new Cancelled(runId, error);
            case QUEUED, RUNNING -> throw new IllegalArgumentException("a " + status + " run has not ended");
        };
    }

    /** The end an executor published. */
    static RunEnd of(RunResult result) {
        return of(result.runId(), result.status(), result.resultJson(), result.reply(), result.error());
    }
}

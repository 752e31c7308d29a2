package dev.cronhook.core.tryout;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.cronhook.core.run.HttpReply;
import java.time.Instant;

/**
 * What happens to one try-out, in order, as the try-out worker and the api tell the caller's api replica: a worker
 * started it (again, after a worker died, with a higher attempt), a line of the dependency install, a line the
 * script logged, and one end: {@link Finished} (the script ran, or its dependencies could not be installed) or
 * {@link Failed} (the platform could not run it: no worker took it, it timed out, its worker stopped).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = TryOutEvent.Started.class, name = "started"),
    @JsonSubTypes.Type(value = TryOutEvent.Install.class, name = "install"),
    @JsonSubTypes.Type(value = TryOutEvent.Log.class, name = "log"),
    @JsonSubTypes.Type(value = TryOutEvent.Finished.class, name = "finished"),
    @JsonSubTypes.Type(value = TryOutEvent.Failed.class, name = "failed")
})
public sealed interface TryOutEvent {

    /** Whether this event ends the try-out. */
    default boolean isEnd() {
        return this instanceof Finished || this instanceof Failed;
    }

    /** A worker took the try-out; {@code attempt} is 1, or more when it was taken over from a worker that died. */
    record Started(long attempt, String worker) implements TryOutEvent {}

    /** A line of the dependency install: npm's stdout or stderr, or what the installer says ({@code system}). */
    record Install(Instant time, String stream, String text) implements TryOutEvent {}

    /** A line the script logged, on {@code stdout} or {@code stderr}. */
    record Log(Instant time, String stream, String text) implements TryOutEvent {}

    /**
     * The script ran (status SUCCEEDED, FAILED, TIMED_OUT) with its result JSON or HTTP reply or error, or its
     * dependencies could not be installed (FAILED, with npm's reason); how long install and run took.
     */
    record Finished(
            String status,
            String resultJson,
            HttpReply reply,
            String error,
            long installMs,
            long runMs,
            long durationMs)
            implements TryOutEvent {}

    /** The platform could not run the try-out; {@code status} is the HTTP status that says why (503, 504). */
    record Failed(int status, String detail) implements TryOutEvent {}
}

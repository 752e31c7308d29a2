package dev.cronhook.api.error;

import java.util.List;
import java.util.Optional;

/**
 * Tells a failure of a backend the platform depends on from any other error, so that it is answered "503, retry
 * later" rather than as a bug: one adapter per backend technology.
 */
public interface BackendFailures {
    /** What is unavailable, as a user reads it ("the queue (Redis)"), when {@code error} is its failure. */
    Optional<String> unavailable(Throwable error);

    /**
     * The first of {@code backends} that recognizes {@code error} or one of its causes (a backend's failure reaches
     * here wrapped: in a {@code CompletionException}, in a repository's own exception).
     */
    static Optional<String> unavailable(List<BackendFailures> backends, Throwable error) {
        int depth = 0;
        for (var e = error; e != null && depth++ < 16; e = e.getCause() == e ? null : e.getCause()) {
            for (var backend : backends) {
                var what = backend.unavailable(e);
                if (what.isPresent()) return what;
            }
        }
        return Optional.empty();
    }
}

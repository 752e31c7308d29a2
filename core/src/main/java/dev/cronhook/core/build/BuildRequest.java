package dev.cronhook.core.build;

import dev.cronhook.core.harness.LanguageRuntime;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Asks a builder to bake one script version into an image. {@code lockfile} is the version's
 * package-lock.json when it has one (a rebuild installs exactly that), else null. {@code language} names the
 * script's {@link dev.cronhook.core.harness.LanguageRuntime} (null: Node.js); for Python, {@code dependencies} are
 * requirements (name to specifier) and {@code lockfile} a pip lock with exact versions and hashes.
 */
public record BuildRequest(
        UUID scriptId,
        int version,
        String code,
        Map<String, String> dependencies,
        String lockfile,
        Instant requestedAt,
        String language) {

    public BuildRequest {
        dependencies = Map.copyOf(dependencies);
        if (language == null || language.isBlank()) language = LanguageRuntime.DEFAULT;
    }

    /** A Node.js script's build. */
    public BuildRequest(
            UUID scriptId,
            int version,
            String code,
            Map<String, String> dependencies,
            String lockfile,
            Instant requestedAt) {
        this(scriptId, version, code, dependencies, lockfile, requestedAt, LanguageRuntime.DEFAULT);
    }

    /** The runtime this version is built for. */
    public LanguageRuntime runtime() {
        return LanguageRuntime.of(language);
    }

    /** The key a builder uses for idempotency: one build per script version. */
    public String key() {
        return scriptId + "/" + version;
    }
}

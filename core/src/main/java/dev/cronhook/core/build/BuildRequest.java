package dev.cronhook.core.build;

import dev.cronhook.core.harness.LanguageRuntime;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Asks a builder to bake one script version into an image. {@code lockfile} is the version's
 * package-lock.json when it has one (a rebuild installs exactly that), else null. {@code language} names the
 * script's {@link dev.cronhook.core.harness.LanguageRuntime} (null: Node.js); for Python, {@code dependencies} are
 * requirements (name to specifier) and {@code lockfile} a pip lock with exact versions and hashes. {@code files} are
 * the version's files besides its entry ({@code code}), path to text, placed beside it (empty for a one-file script).
 */
public record BuildRequest(
        UUID scriptId,
        int version,
        String code,
        Map<String, String> dependencies,
        String lockfile,
        Instant requestedAt,
        String language,
        Map<String, String> files) {

    public BuildRequest {
        dependencies = Map.copyOf(dependencies);
        files = files == null ? Map.of() : Map.copyOf(files);
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
        this(scriptId, version, code, dependencies, lockfile, requestedAt, LanguageRuntime.DEFAULT, Map.of());
    }

    /** A one-file script's build in {@code language}. */
    public BuildRequest(
            UUID scriptId,
            int version,
            String code,
            Map<String, String> dependencies,
            String lockfile,
            Instant requestedAt,
            String language) {
        this(scriptId, version, code, dependencies, lockfile, requestedAt, language, Map.of());
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

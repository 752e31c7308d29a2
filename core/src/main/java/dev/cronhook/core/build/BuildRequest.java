package dev.cronhook.core.build;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Asks a builder to bake one script version into an image. {@code lockfile} is the version's
 * package-lock.json when it has one (a rebuild installs exactly that), else null.
 */
public record BuildRequest(
        UUID scriptId,
        int version,
        String code,
        Map<String, String> dependencies,
        String lockfile,
        Instant requestedAt) {

    public BuildRequest {
        dependencies = Map.copyOf(dependencies);
    }

    /** The key a builder uses for idempotency: one build per script version. */
    public String key() {
        return scriptId + "/" + version;
    }
}

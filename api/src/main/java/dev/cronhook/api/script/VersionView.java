package dev.cronhook.api.script;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.harness.LanguageRuntime;
import java.time.Instant;
import java.util.Map;

/**
 * One version of a script: its language, code, dependencies, build state and image; a Python version's
 * {@code requirementsLock} is what its build resolved (exact versions and wheel hashes, pip's
 * {@code --require-hashes} format). {@code files} are the version's files besides its entry ({@code code}), absent for
 * a one-file version; {@code imageDigest} is what its build pushed (a promoted version has its source's).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VersionView(
        int version,
        boolean active,
        String code,
        Map<String, String> dependencies,
        BuildState buildState,
        String buildError,
        String image,
        Instant createdAt,
        Instant builtAt,
        String language,
        String requirementsLock,
        String imageDigest,
        Map<String, String> files) {

    static VersionView of(ScriptRepository.VersionRow v, Integer activeVersion) {
        return new VersionView(
                v.version(),
                activeVersion != null && activeVersion == v.version(),
                v.code(),
                v.dependencies(),
                v.buildState(),
                v.buildError(),
                v.imageRef(),
                v.createdAt(),
                v.builtAt(),
                v.language(),
                LanguageRuntime.PYTHON.language().equals(v.language()) ? v.lockfile() : null,
                v.imageDigest(),
                v.files().isEmpty() ? null : v.files());
    }
}

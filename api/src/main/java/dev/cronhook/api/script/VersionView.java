package dev.cronhook.api.script;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cronhook.core.build.BuildState;
import java.time.Instant;
import java.util.Map;

/** One version of a script: its code, dependencies, build state and image. */
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
        Instant builtAt) {

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
                v.builtAt());
    }
}

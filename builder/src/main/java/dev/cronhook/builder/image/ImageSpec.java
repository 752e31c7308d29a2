package dev.cronhook.builder.image;

import dev.cronhook.builder.npm.InstalledDependencies;
import dev.cronhook.core.harness.LanguageRuntime;
import java.util.Map;
import java.util.UUID;

/**
 * What goes into one script version's image: its language's runtime, its code, its dependency manifest
 * ({@code packageJson}: package.json, or requirements.txt for Python), its installed dependencies and its other files
 * (path to text, beside the code; empty for a one-file script).
 */
public record ImageSpec(
        UUID scriptId,
        int version,
        String code,
        String packageJson,
        InstalledDependencies dependencies,
        LanguageRuntime runtime,
        Map<String, String> files) {

    /** A Node.js script's image. */
    public ImageSpec(UUID scriptId, int version, String code, String packageJson, InstalledDependencies dependencies) {
        this(scriptId, version, code, packageJson, dependencies, LanguageRuntime.NODE, Map.of());
    }

    /** A one-file script's image in {@code runtime}. */
    public ImageSpec(
            UUID scriptId,
            int version,
            String code,
            String packageJson,
            InstalledDependencies dependencies,
            LanguageRuntime runtime) {
        this(scriptId, version, code, packageJson, dependencies, runtime, Map.of());
    }

    public ImageSpec {
        if (scriptId == null) throw new IllegalArgumentException("scriptId is required");
        if (version < 1) throw new IllegalArgumentException("version must be at least 1");
        if (code == null) throw new IllegalArgumentException("code is required");
        if (packageJson == null) throw new IllegalArgumentException("packageJson is required");
        if (dependencies == null) dependencies = InstalledDependencies.none();
        if (runtime == null) runtime = LanguageRuntime.NODE;
        files = files == null ? Map.of() : new java.util.TreeMap<>(files);
        for (String path : files.keySet()) {
            String problem = dev.cronhook.core.script.SourceFiles.pathProblem(path, runtime);
            if (problem != null) throw new IllegalArgumentException("file " + path + ": " + problem);
        }
    }

    /** The repository a script's images go to, below the registry host. */
    public String repository() {
        return "cronhook/scripts/" + scriptId;
    }

    public String tag() {
        return "v" + version;
    }
}

package dev.cronhook.builder;

import dev.cronhook.builder.image.BuiltImage;
import dev.cronhook.builder.image.ImageBuilder;
import dev.cronhook.builder.image.ImageSpec;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.npm.DependencyInstaller;
import dev.cronhook.builder.npm.InstalledDependencies;
import dev.cronhook.builder.npm.PackageJson;
import dev.cronhook.core.build.BuildRequest;
import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.harness.LanguageRuntime;
import java.time.Clock;
import java.util.Map;

/**
 * Builds one script version: installs its dependencies, then bakes code, harness and node_modules into an image.
 * Returns READY or FAILED, never throws for bad input or a registry that stays down; only an interruption (the
 * builder is stopping) escapes, leaving the request to another builder. Idempotent per script version.
 */
public final class BuildPipeline {
    private final Map<String, DependencyInstaller> installers;
    private final ImageBuilder images;
    private final Clock clock;

    /** A pipeline whose only dependency resolver is npm's. */
    public BuildPipeline(DependencyInstaller npm, ImageBuilder images, Clock clock) {
        this(Map.of(LanguageRuntime.NODE.resolver(), npm), images, clock);
    }

    /** {@code installers}: a {@link LanguageRuntime#resolver() resolver}'s name to its installer. */
    public BuildPipeline(Map<String, DependencyInstaller> installers, ImageBuilder images, Clock clock) {
        this.installers = Map.copyOf(installers);
        this.images = images;
        this.clock = clock;
    }

    /** Does ahead of the first build what every build shares; see {@link ImageBuilder#prepare()}. */
    public void prepare() {
        images.prepare();
    }

    public BuildResult build(BuildRequest request, BuildLog log) throws InterruptedException {
        long started = clock.millis();
        InstalledDependencies installed = null;
        try {
            if (request.code() == null || request.code().isBlank()) {
                throw new BuildFailedException("the script has no code");
            }
            LanguageRuntime runtime;
            try {
                runtime = request.runtime();
            } catch (LanguageRuntime.UnknownLanguageException e) {
                throw new BuildFailedException(e.getMessage());
            }
            var dependencies = installers.get(runtime.resolver());
            boolean none = request.dependencies().isEmpty() && request.lockfile() == null;
            if (dependencies == null && !none) {
                throw new BuildFailedException("this builder has no " + runtime.resolver() + " resolver for "
                        + runtime.language() + " scripts");
            }
            installed = dependencies == null
                    ? InstalledDependencies.none()
                    : dependencies.install(request.dependencies(), request.lockfile(), log);
            String manifest = runtime == LanguageRuntime.NODE
                    ? PackageJson.render(request.dependencies())
                    : (installed.lockfile() == null ? "" : installed.lockfile());
            var spec = new ImageSpec(
                    request.scriptId(),
                    request.version(),
                    request.code(),
                    manifest,
                    installed,
                    runtime,
                    request.files());
            BuiltImage image = images.build(spec, log);
            log.system("READY in " + (clock.millis() - started) + " ms: " + image.imageRef());
            return new BuildResult(
                    request.scriptId(),
                    request.version(),
                    BuildState.READY,
                    installed.lockfile(),
                    image.imageRef(),
                    image.digest(),
                    null,
                    log.text(),
                    clock.instant());
        } catch (BuildFailedException e) {
            log.system("FAILED: " + e.getMessage());
            return failed(request, installed, e.getMessage(), log);
        } catch (RuntimeException e) {
            // a bug or an environment we did not foresee: report it rather than redeliver it forever
            log.system("FAILED (internal error): " + e);
            return failed(request, installed, "internal builder error: " + e, log);
        }
    }

    private BuildResult failed(BuildRequest request, InstalledDependencies installed, String reason, BuildLog log) {
        return new BuildResult(
                request.scriptId(),
                request.version(),
                BuildState.FAILED,
                installed == null ? request.lockfile() : installed.lockfile(),
                null,
                null,
                reason,
                log.text(),
                clock.instant());
    }
}

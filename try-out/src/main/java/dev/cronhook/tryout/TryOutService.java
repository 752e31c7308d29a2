package dev.cronhook.tryout;

import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.image.BundleImageBuilder;
import dev.cronhook.builder.image.ImageBuilder;
import dev.cronhook.builder.image.ImageSpec;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.log.BuildLogSink;
import dev.cronhook.builder.npm.DependencyInstaller;
import dev.cronhook.builder.npm.PackageJson;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.secret.SecretsUnavailableException;
import dev.cronhook.core.tryout.TryOutEvent;
import dev.cronhook.core.tryout.TryOutRequest;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.LogSink;
import dev.cronhook.executor.runtime.Outcome;
import dev.cronhook.executor.runtime.ScriptFiles;
import dev.cronhook.executor.secrets.RunSecretsResolver;
import dev.cronhook.executor.secrets.SecretMask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Runs unsaved code once: installs its dependencies through the builder's installer (and so its cache of
 * node_modules trees by lockfile) and runs the code once in a sandbox of an executor runtime: a blank sandbox that
 * receives the code and the lockfile's node_modules read-only and is removed after this one call, when the runtime
 * starts them (Docker), else a bundle laid out like the builder's, run by the process runtime and then removed. Every
 * install line and every line the script logs is handed on as it happens. Nothing is stored.
 */
public final class TryOutService {

    /** Limits of one try-out. */
    public record Limits(Duration timeout, int memoryMb) {}

    private final DependencyInstaller installer;
    private final BundleImageBuilder bundles;
    private final Path bundlesDir;
    private final HarnessScriptRuntime runtime;
    private final Limits limits;
    private final BlankImage blankImage;
    private final RunSecretsResolver secrets;
    private volatile ImageBuilder pythonImages;
    private volatile DependencyInstaller pip;

    /**
     * The image blank sandboxes start from, once it is there: try-outs wait for it (it is built when the worker
     * starts); null runs try-outs as bundles in the process runtime.
     */
    @FunctionalInterface
    public interface BlankImage {
        String await(Duration atMost) throws InterruptedException;
    }

    public TryOutService(
            DependencyInstaller installer,
            Path bundlesDir,
            HarnessScriptRuntime runtime,
            Limits limits,
            BlankImage blankImage,
            RunSecretsResolver secrets) {
        this.installer = installer;
        this.bundlesDir = bundlesDir;
        this.bundles = new BundleImageBuilder(bundlesDir);
        this.runtime = runtime;
        this.limits = limits;
        this.blankImage = blankImage;
        this.secrets = secrets;
    }

    /**
     * Lets this service try Python code: its requirements through {@code pip}, then an image built by {@code images}
     * (as the builder builds one, under a repository of the user's own), run once in the runtime's sandbox.
     */
    public TryOutService tryPythonWith(ImageBuilder images, DependencyInstaller pip) {
        this.pythonImages = images;
        this.pip = pip;
        return this;
    }

    /**
     * Runs the try-out, giving {@code events} its {@link TryOutEvent.Install} and {@link TryOutEvent.Log} lines as
     * they come (from more than one thread, never at once), and returns how it finished.
     */
    public TryOutEvent.Finished run(TryOutRequest request, Consumer<TryOutEvent> events) throws InterruptedException {
        long start = System.nanoTime();
        BuildLogSink sink = new BuildLogSink() {
            @Override
            public void line(long epochMillis, BuildLog.Source source, String text) {
                synchronized (this) {
                    events.accept(new TryOutEvent.Install(Instant.ofEpochMilli(epochMillis), source.wireName(), text));
                }
            }

            @Override
            public void end(long epochMillis, BuildState outcome) {}
        };
        var log = new BuildLog(sink, Clock.systemUTC());
        var scriptId = UUID.randomUUID();
        Path bundle = null;
        try {
            var deps = request.dependencies();
            var language = request.runtime();
            boolean python = language == LanguageRuntime.PYTHON;
            if (python && (pythonImages == null || pip == null)) {
                long took = millis(System.nanoTime() - start);
                return new TryOutEvent.Finished(
                        RunStatus.FAILED.name(),
                        null,
                        null,
                        "Python try-outs need the Docker runtime and an image builder; this try-out worker has neither",
                        took,
                        0,
                        took);
            }
            var installed = (python ? pip : installer).install(deps, null, log);
            String pythonImage = null;
            if (python) {
                // one repository per user: each try-out replaces the last, and only its code layer is new
                var repositoryId =
                        UUID.nameUUIDFromBytes(("try-out:" + request.userId()).getBytes(StandardCharsets.UTF_8));
                pythonImage = pythonImages
                        .build(
                                new ImageSpec(
                                        repositoryId,
                                        1,
                                        request.code(),
                                        installed.lockfile() == null ? "" : installed.lockfile(),
                                        installed,
                                        LanguageRuntime.PYTHON,
                                        request.files()),
                                log)
                        .imageRef();
            }
            long installedAt = System.nanoTime();
            var event = new LinkedHashMap<String, Object>(request.event());
            event.put("trigger", TriggerKind.TRY_OUT.wireName());
            event.put("runId", request.id().toString());
            String eventJson = Wire.json().writeValueAsString(event);
            // a saved script's try-out has its secrets, as its runs do, and they are masked the same way
            Map<String, String> env;
            try {
                env = secrets == null ? Map.of() : secrets.resolve(request.id(), request.secretsToken());
            } catch (SecretsUnavailableException e) {
                long took = millis(System.nanoTime() - start);
                return new TryOutEvent.Finished(
                        RunStatus.FAILED.name(), null, null, "secrets unavailable: " + e.getMessage(), took, 0, took);
            }
            var mask = SecretMask.of(env.values());
            LogSink logs = (time, stream, text) ->
                    events.accept(new TryOutEvent.Log(time, stream.wireName(), mask.apply(text)));
            Outcome outcome;
            if (pythonImage != null) {
                outcome = runtime.run(invocation(request, scriptId, pythonImage, eventJson, env), logs);
            } else if (blankImage != null) {
                String image = blankImage.await(Duration.between(Instant.now(), request.deadline()));
                var code = new java.util.HashMap<String, byte[]>();
                request.files().forEach((path, text) -> code.put(path, text.getBytes(StandardCharsets.UTF_8)));
                code.put(Harness.SCRIPT_FILE_NAME, request.code().getBytes(StandardCharsets.UTF_8));
                code.put("package.json", PackageJson.render(deps).getBytes(StandardCharsets.UTF_8));
                var files = new ScriptFiles(code, installed.nodeModules(), List.copyOf(deps.keySet()));
                outcome = runtime.runOnce(invocation(request, scriptId, image, eventJson, env), files, logs);
            } else {
                var built = bundles.build(
                        new ImageSpec(
                                scriptId,
                                1,
                                request.code(),
                                PackageJson.render(deps),
                                installed,
                                LanguageRuntime.NODE,
                                request.files()),
                        log);
                bundle = Path.of(built.imageRef().substring(BundleImageBuilder.REF_PREFIX.length()));
                outcome = runtime.run(invocation(request, scriptId, built.imageRef(), eventJson, env), logs);
            }
            long end = System.nanoTime();
            return new TryOutEvent.Finished(
                    outcome.status().name(),
                    mask.apply(outcome.resultJson()),
                    mask.apply(outcome.reply()),
                    mask.apply(outcome.error()),
                    millis(installedAt - start),
                    millis(end - installedAt),
                    millis(end - start));
        } catch (BuildFailedException e) {
            long took = millis(System.nanoTime() - start);
            return new TryOutEvent.Finished(
                    RunStatus.FAILED.name(),
                    null,
                    null,
                    "dependencies could not be installed: " + e.getMessage(),
                    took,
                    0,
                    took);
        } finally {
            if (bundle != null) deleteBundle(bundle.getParent());
        }
    }

    private Invocation invocation(
            TryOutRequest request, UUID scriptId, String image, String eventJson, Map<String, String> env) {
        // the try-out's allow-list (its own, else its saved script's): the sandbox's egress proxy enforces it
        return new Invocation(
                request.id(),
                scriptId,
                1,
                image,
                TriggerKind.TRY_OUT,
                eventJson,
                limits.timeout(),
                limits.memoryMb(),
                env,
                new Cancellation(),
                request.egress());
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    private void deleteBundle(Path scriptDir) {
        if (!scriptDir.startsWith(bundlesDir)) return;
        try (var paths = Files.walk(scriptDir)) {
            // node_modules is a symlink into the shared cache: deleted as a link, never followed
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a leftover in a temp area, removed with the next start
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}

package dev.cronhook.tryout;

import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.image.BundleImageBuilder;
import dev.cronhook.builder.image.ImageSpec;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.log.BuildLogSink;
import dev.cronhook.builder.npm.DependencyInstaller;
import dev.cronhook.builder.npm.PackageJson;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.tryout.TryOutEvent;
import dev.cronhook.core.tryout.TryOutRequest;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.ScriptRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Runs unsaved code once: installs its dependencies through the builder's installer (and so its cache of
 * node_modules trees by lockfile), lays out a bundle like the builder's, and runs it once in an executor runtime.
 * Every install line and every line the script logs is handed on as it happens. Nothing is stored; the bundle is
 * removed afterwards.
 */
public final class TryOutService {

    /** Limits of one try-out. */
    public record Limits(Duration timeout, int memoryMb) {}

    private final DependencyInstaller installer;
    private final BundleImageBuilder bundles;
    private final Path bundlesDir;
    private final ScriptRuntime runtime;
    private final Limits limits;

    public TryOutService(DependencyInstaller installer, Path bundlesDir, ScriptRuntime runtime, Limits limits) {
        this.installer = installer;
        this.bundlesDir = bundlesDir;
        this.bundles = new BundleImageBuilder(bundlesDir);
        this.runtime = runtime;
        this.limits = limits;
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
            var installed = installer.install(deps, null, log);
            long installedAt = System.nanoTime();
            var image =
                    bundles.build(new ImageSpec(scriptId, 1, request.code(), PackageJson.render(deps), installed), log);
            bundle = Path.of(image.imageRef().substring(BundleImageBuilder.REF_PREFIX.length()));
            var event = new LinkedHashMap<String, Object>(request.event());
            event.put("trigger", TriggerKind.TRY_OUT.wireName());
            event.put("runId", request.id().toString());
            var outcome = runtime.run(
                    new Invocation(
                            request.id(),
                            scriptId,
                            1,
                            image.imageRef(),
                            TriggerKind.TRY_OUT,
                            Wire.json().writeValueAsString(event),
                            limits.timeout(),
                            limits.memoryMb(),
                            Map.of(),
                            new Cancellation()),
                    (time, stream, text) -> events.accept(new TryOutEvent.Log(time, stream.wireName(), text)));
            long end = System.nanoTime();
            return new TryOutEvent.Finished(
                    outcome.status().name(),
                    outcome.resultJson(),
                    outcome.reply(),
                    outcome.error(),
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

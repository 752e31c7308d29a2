package dev.cronhook.tryout;

import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.image.BundleImageBuilder;
import dev.cronhook.builder.image.ImageSpec;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.log.BuildLogSink;
import dev.cronhook.builder.npm.DependencyInstaller;
import dev.cronhook.builder.npm.PackageJson;
import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.script.ScriptSource;
import dev.cronhook.core.validation.Violations;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.ScriptRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs unsaved code once: installs its dependencies through the builder's installer (and so its cache of
 * node_modules trees by lockfile), lays out a bundle like the builder's, and runs it once in an executor runtime.
 * Nothing is stored; the bundle is removed afterwards.
 */
public final class TryOutService {
    private static final int MAX_CODE_BYTES = 256 * 1024;
    private static final int MAX_DEPENDENCIES = 50;

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

    public TryOutResult run(TryOutRequest request) throws InterruptedException {
        var v = new Violations();
        ScriptSource.checkCode(request == null ? null : request.code(), MAX_CODE_BYTES, v);
        var deps = ScriptSource.checkDependencies(request == null ? null : request.dependencies(), MAX_DEPENDENCIES, v);
        v.throwIfAny();

        long start = System.nanoTime();
        var installLog = Collections.synchronizedList(new ArrayList<String>());
        BuildLogSink sink = new BuildLogSink() {
            @Override
            public void line(long epochMillis, BuildLog.Source source, String text) {
                installLog.add(text);
            }

            @Override
            public void end(long epochMillis, dev.cronhook.core.build.BuildState outcome) {}
        };
        var log = new BuildLog(sink, java.time.Clock.systemUTC());
        var scriptId = UUID.randomUUID();
        Path bundle = null;
        try {
            var installed = installer.install(deps, null, log);
            long installedAt = System.nanoTime();
            var image =
                    bundles.build(new ImageSpec(scriptId, 1, request.code(), PackageJson.render(deps), installed), log);
            bundle = Path.of(image.imageRef().substring(BundleImageBuilder.REF_PREFIX.length()));
            var event = new LinkedHashMap<String, Object>();
            if (request.event() != null) event.putAll(request.event());
            var runId = UUID.randomUUID();
            event.put("trigger", TriggerKind.TRY_OUT.wireName());
            event.put("runId", runId.toString());
            var lines = Collections.synchronizedList(new ArrayList<LogLine>());
            var outcome = runtime.run(
                    new Invocation(
                            runId,
                            scriptId,
                            1,
                            image.imageRef(),
                            TriggerKind.TRY_OUT,
                            Wire.json().writeValueAsString(event),
                            limits.timeout(),
                            limits.memoryMb(),
                            Map.of(),
                            new Cancellation()),
                    (time, stream, text) -> lines.add(new LogLine(time, stream.wireName(), text)));
            long end = System.nanoTime();
            return new TryOutResult(
                    outcome.status().name(),
                    outcome.resultJson(),
                    outcome.reply(),
                    outcome.error(),
                    List.copyOf(lines),
                    List.copyOf(installLog),
                    (installedAt - start) / 1_000_000,
                    (end - installedAt) / 1_000_000,
                    (end - start) / 1_000_000);
        } catch (BuildFailedException e) {
            long end = System.nanoTime();
            return new TryOutResult(
                    RunStatus.FAILED.name(),
                    null,
                    null,
                    "dependencies could not be installed: " + e.getMessage(),
                    List.of(),
                    List.copyOf(installLog),
                    (end - start) / 1_000_000,
                    0,
                    (end - start) / 1_000_000);
        } finally {
            if (bundle != null) deleteBundle(bundle.getParent());
        }
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

package dev.cronhook.bench.run;

import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.LogSink;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Cold starts in sandboxes shared by a tenant's scripts (issue 24), {@code DockerScriptRuntime} alone: a script
 * version's first call where its tenant has a warm container (the version's code taken out of its image now, or
 * already on the machine), a warm call, and a new tenant's first call (a container started). Needs Docker.
 * Then what each idle container holds in memory ({@link SandboxMemory}). Then the same first call for versions whose
 * images the builder pushed to a registry ({@code JibImageBuilder}, referenced by digest): their code read from the
 * registry by layer digest, their images never pulled. Then for versions the builder loaded into the local engine
 * (the embedded default): their code linked from the builder's handoff, against the same images read out of the
 * engine. Args: [versions] [new tenants] [warm calls] [registry host, default 127.0.0.1:5000; "none" to leave it
 * out].
 */
public final class SharedSandboxBench {
    private static final String CODE =
            "export default async (event) => ({hello: event.body?.name ?? 'world', v: %d});\n";

    private SharedSandboxBench() {}

    public static void main(String[] args) throws Exception {
        int versions = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int tenants = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int warmCalls = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        String registry = args.length > 3 ? args[3] : "127.0.0.1:5000";
        String base = RunBenchmark.image("trivial", String.format(CODE, 0));
        List<String> images = new ArrayList<>();
        long made = System.nanoTime();
        for (int i = 1; i <= versions; i++) images.add(variant(base, i));
        System.out.printf("%d script images made in %.1f s%n", versions, (System.nanoTime() - made) / 1e9);
        var docker = DockerScriptRuntime.client("unix:///var/run/docker.sock");
        try (var runtime = sharedRuntime(docker, "bench-shared")) {
            call(runtime, base, "tenant-a");
            long[] imagePresent = new long[versions];
            for (int i = 0; i < versions; i++) imagePresent[i] = call(runtime, images.get(i), "tenant-a");
            RunBenchmark.report("new version, tenant warm, image present (code taken out of it now)", imagePresent);

            call(runtime, base, "tenant-b");
            long[] codePresent = new long[versions];
            for (int i = 0; i < versions; i++) codePresent[i] = call(runtime, images.get(i), "tenant-b");
            RunBenchmark.report("new version, tenant warm, code present on the machine", codePresent);

            long[] warm = new long[warmCalls];
            for (int i = 0; i < warmCalls; i++) warm[i] = call(runtime, images.get(i % versions), "tenant-b");
            RunBenchmark.report("warm call, " + versions + " versions in turn on one tenant", warm);

            long[] newTenant = new long[tenants];
            for (int i = 0; i < tenants; i++) newTenant[i] = call(runtime, base, "tenant-new-" + i);
            RunBenchmark.report("a new tenant's first call (a container started)", newTenant);
            // blank containers started ahead (the bench's base image stands in for the try-out's blank image): a new
            // tenant's first call when one is ready, i.e. new tenants arriving no faster than blanks are refilled
            runtime.blankImage(base);
            runtime.keepBlanksReady(128, 2);
            long[] blankTenant = new long[tenants];
            for (int i = 0; i < tenants; i++) {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (runtime.blanksReady(128) < 1 && System.nanoTime() < deadline) Thread.sleep(5);
                blankTenant[i] = call(runtime, images.get(i % versions), "tenant-blank-" + i);
            }
            RunBenchmark.report("a new tenant's first call, a blank container ready (code present)", blankTenant);
            // every container is idle now: what each holds, the engine's shim included
            Thread.sleep(3000);
            SandboxMemory.report(
                    "idle shared containers (" + (2 * tenants + 2) + " tenants, " + versions + " versions in two)",
                    SandboxMemory.of(docker, DockerScriptRuntime.LABEL, "bench-shared"));
            runtime.removeLeftovers();
        }
        if (!registry.equals("none")) fromRegistry(docker, registry, versions);
        fromHandoff(docker, versions);
    }

    /** A Docker runtime of default settings sharing sandboxes, its sockets in a new temporary directory. */
    private static DockerScriptRuntime sharedRuntime(com.github.dockerjava.api.DockerClient docker, String owner)
            throws java.io.IOException {
        var runtime = new DockerScriptRuntime(
                docker,
                "none",
                owner,
                RuntimeLimits.defaults(),
                HarnessScriptRuntime.WarmSettings.defaults(),
                Files.createTempDirectory("cronhook-" + owner),
                DockerScriptRuntime.OCI_AUTO);
        runtime.removeLeftovers();
        runtime.shareSandboxes(true);
        return runtime;
    }

    /**
     * A version's first call where its tenant has a warm container, the version's image in the registry only: its
     * code read from the registry by layer digest (manifest, configuration, the script layer; the harness layer once).
     */
    private static void fromRegistry(com.github.dockerjava.api.DockerClient docker, String registry, int versions)
            throws Exception {
        var script = UUID.nameUUIDFromBytes(("shared-sandbox-bench-" + registry).getBytes(StandardCharsets.UTF_8));
        long made = System.nanoTime();
        var images = build(
                new dev.cronhook.builder.image.ImageTarget.Registry(registry, null, null, true),
                "cronhook-bench-registry-cache",
                script,
                versions + 1,
                null);
        System.out.printf(
                "%d script images pushed to %s in %.1f s%n", versions + 1, registry, (System.nanoTime() - made) / 1e9);
        try (var runtime = sharedRuntime(docker, "bench-shared-registry")) {
            runtime.codeRegistry(dev.cronhook.executor.runtime.docker.RegistryAccess.of(registry, null, null, null));
            // the tenant's container is started from (and pulls) the first image; the others are never pulled
            call(runtime, images.getFirst(), "tenant-r");
            long[] fromRegistry = new long[versions];
            for (int i = 0; i < versions; i++) fromRegistry[i] = call(runtime, images.get(i + 1), "tenant-r");
            RunBenchmark.report(
                    "new version, tenant warm, image in the registry only (code read from the registry by layer digest)",
                    fromRegistry);
            long notPulled = images.stream()
                    .skip(1)
                    .filter(image -> !present(docker, image))
                    .count();
            System.out.printf("%d of %d versions' images not in the engine after their calls%n", notPulled, versions);
            runtime.removeLeftovers();
        }
    }

    /**
     * A version's first call where its tenant has a warm container, the version's image loaded into the local engine
     * by the builder (the embedded default without a registry): its code linked from where the builder left it
     * ({@code CodeHandoff}), and, for the same images in another runtime without the handoff, read out of the image
     * ({@code docker create} + the archive of {@code /app}).
     */
    private static void fromHandoff(com.github.dockerjava.api.DockerClient docker, int versions) throws Exception {
        var handoff = new dev.cronhook.core.build.CodeHandoff(Files.createTempDirectory("cronhook-bench-handoff"));
        long made = System.nanoTime();
        var images = build(
                new dev.cronhook.builder.image.ImageTarget.DockerDaemon(Path.of("docker")),
                "cronhook-bench-handoff-cache",
                UUID.randomUUID(),
                versions + 1,
                handoff);
        System.out.printf(
                "%d script images loaded into the engine in %.1f s%n", versions + 1, (System.nanoTime() - made) / 1e9);
        try (var runtime = sharedRuntime(docker, "bench-shared-handoff")) {
            runtime.codeHandoff(handoff);
            call(runtime, images.getFirst(), "tenant-h");
            long[] handedOff = new long[versions];
            for (int i = 0; i < versions; i++) handedOff[i] = call(runtime, images.get(i + 1), "tenant-h");
            RunBenchmark.report(
                    "new version, tenant warm, image in the engine, code linked from the builder's handoff", handedOff);
            runtime.removeLeftovers();
        }
        try (var runtime = sharedRuntime(docker, "bench-shared-no-handoff")) {
            call(runtime, images.getFirst(), "tenant-e");
            long[] fromImage = new long[versions];
            for (int i = 0; i < versions; i++) fromImage[i] = call(runtime, images.get(i + 1), "tenant-e");
            RunBenchmark.report(
                    "the same images without the handoff (code read out of the image in the engine)", fromImage);
            runtime.removeLeftovers();
        }
        for (var image : images) run("docker", "rmi", "-f", image);
    }

    /**
     * Versions 1..{@code count} of one script, each with its own code, built by {@code JibImageBuilder} to {@code
     * target} (its caches under the temporary directory's {@code cacheName}), its code left in {@code handoff} when
     * one is given; their image references.
     */
    private static List<String> build(
            dev.cronhook.builder.image.ImageTarget target,
            String cacheName,
            UUID script,
            int count,
            dev.cronhook.core.build.CodeHandoff handoff)
            throws Exception {
        List<String> images = new ArrayList<>();
        try (var builder = new dev.cronhook.builder.image.JibImageBuilder(
                target,
                "host",
                null,
                Path.of(System.getProperty("java.io.tmpdir"), cacheName),
                dev.cronhook.builder.RetryPolicy.defaults())) {
            builder.handOffCode(handoff);
            for (int i = 0; i < count; i++) {
                var built = builder.build(
                        new dev.cronhook.builder.image.ImageSpec(
                                script, i + 1, String.format(CODE, i), "{\"type\":\"module\"}\n", null),
                        dev.cronhook.builder.log.BuildLog.detached());
                images.add(built.imageRef());
            }
        }
        return images;
    }

    private static boolean present(com.github.dockerjava.api.DockerClient docker, String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            return false;
        }
    }

    private static long call(DockerScriptRuntime runtime, String image, String tenant) {
        var invocation = new Invocation(
                        UUID.randomUUID(),
                        UUID.nameUUIDFromBytes(image.getBytes(StandardCharsets.UTF_8)),
                        1,
                        image,
                        TriggerKind.WEBHOOK,
                        "{\"body\":{\"name\":\"ada\"}}",
                        Duration.ofSeconds(30),
                        128,
                        Map.of(),
                        new Cancellation())
                .withTenant(tenant);
        long t0 = System.nanoTime();
        var outcome = runtime.run(invocation, LogSink.DISCARD);
        long t = System.nanoTime() - t0;
        if (outcome.status() != RunStatus.SUCCEEDED) throw new IllegalStateException(outcome.toString());
        return t;
    }

    /** {@code base} with another script.mjs, committed as its own image (another script version). */
    private static String variant(String base, int i) throws Exception {
        String tag = base.replace(':', '-') + ":v" + i;
        if (run("docker", "image", "inspect", tag) == 0) return tag;
        Path file = Files.createTempFile("cronhook-bench", ".mjs");
        Files.writeString(file, String.format(CODE, i));
        file.toFile().setReadable(true, false);
        var created = new ProcessBuilder("docker", "create", base).start();
        String container = new String(created.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (created.waitFor() != 0) throw new IllegalStateException("docker create failed");
        try {
            if (run("docker", "cp", file.toString(), container + ":/app/script.mjs") != 0
                    || run("docker", "commit", container, tag) != 0) {
                throw new IllegalStateException("could not make " + tag);
            }
        } finally {
            run("docker", "rm", "-f", container);
            Files.deleteIfExists(file);
        }
        return tag;
    }

    private static int run(String... command) throws Exception {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
    }
}

package dev.cronhook.builder.image;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.DockerDaemonImage;
import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.TransientFailureException;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.core.build.CodeHandoff;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.harness.LanguageRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ImageBuilder} with jib-core. Layers, least to most volatile: the Node runtime (a base image, or one made
 * from this host's node), the lockfile's node_modules, the harness, then the script and its package.json. Every
 * file has a fixed modification time and the image a fixed creation time, so the same inputs give the same
 * digest, and jib's layer caches (under the cache dir) keep unchanged layers from being tarred or uploaded again.
 */
public final class JibImageBuilder implements ImageBuilder, AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(JibImageBuilder.class);
    /** {@code base-image} value meaning "build the base from this host's node". */
    public static final String HOST_BASE = "host";

    static final Instant FIXED_TIME = HostRuntime.FIXED_TIME;
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final String USER = "65532:65532";
    private static final FilePermissions READABLE = FilePermissions.fromOctalString("644");
    private static final FilePermissions DIRECTORY = FilePermissions.fromOctalString("755");
    private static final AbsoluteUnixPath APP = AbsoluteUnixPath.get(Harness.APP_DIR);

    private final ImageTarget target;
    private final Map<String, String> baseImages;
    private final Map<String, Path> interpreters;
    private final Path baseLayersCache;
    private final Path applicationLayersCache;
    private final ContentAddressedFiles files;
    private final java.util.concurrent.ConcurrentHashMap<String, HostRuntime> hostRuntimes =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final RetryPolicy retry;
    /** Where the code of images loaded into the local engine is left for this host's executors; null: nowhere. */
    private volatile CodeHandoff handoff;

    private final AtomicReference<CompletableFuture<Void>> preparing = new AtomicReference<>();
    private volatile boolean closed;
    private final ExecutorService jibThreads = Executors.newCachedThreadPool(r -> {
        var t = new Thread(r, "jib");
        t.setDaemon(true);
        return t;
    });

    /**
     * {@code baseImage} is {@link #HOST_BASE}, an image reference in a registry ({@code node:22-slim}),
     * {@code docker://ref} for an image in the local engine, or {@code tar:///path} for a {@code docker save} tar.
     * Python scripts are built on this host's python3.
     */
    public JibImageBuilder(ImageTarget target, String baseImage, Path nodeBinary, Path cacheDir, RetryPolicy retry) {
        this(target, baseImages(baseImage, HOST_BASE), interpreters(nodeBinary, null), cacheDir, retry);
    }

    /**
     * {@code baseImages}: language to base ({@link #HOST_BASE} or an image reference as above; a language not named
     * is built on the host's runtime); {@code interpreters}: language to the host binary a host base is made from (a
     * language not named: its interpreter on the PATH).
     */
    public JibImageBuilder(
            ImageTarget target,
            Map<String, String> baseImages,
            Map<String, Path> interpreters,
            Path cacheDir,
            RetryPolicy retry) {
        this.target = target;
        this.baseImages = Map.copyOf(baseImages);
        this.interpreters = Map.copyOf(interpreters);
        this.baseLayersCache = cacheDir.resolve("jib").resolve("base");
        this.applicationLayersCache = cacheDir.resolve("jib").resolve("application");
        this.files = new ContentAddressedFiles(cacheDir.resolve("files"));
        if (isHost(LanguageRuntime.NODE)) hostRuntime(LanguageRuntime.NODE);
        this.retry = retry;
    }

    /** Language to base image, blanks meaning {@link #HOST_BASE}. */
    public static Map<String, String> baseImages(String node, String python) {
        var map = new java.util.HashMap<String, String>();
        map.put(LanguageRuntime.NODE.language(), node == null || node.isBlank() ? HOST_BASE : node.strip());
        map.put(LanguageRuntime.PYTHON.language(), python == null || python.isBlank() ? HOST_BASE : python.strip());
        return map;
    }

    /** Language to host interpreter, nulls left out. */
    public static Map<String, Path> interpreters(Path node, Path python) {
        var map = new java.util.HashMap<String, Path>();
        if (node != null) map.put(LanguageRuntime.NODE.language(), node);
        if (python != null) map.put(LanguageRuntime.PYTHON.language(), python);
        return map;
    }

    private String baseImage(LanguageRuntime runtime) {
        return baseImages.getOrDefault(runtime.language(), HOST_BASE);
    }

    private boolean isHost(LanguageRuntime runtime) {
        return HOST_BASE.equals(baseImage(runtime));
    }

    private HostRuntime hostRuntime(LanguageRuntime runtime) {
        return hostRuntimes.computeIfAbsent(runtime.language(), language -> {
            Path binary = interpreters.get(language);
            return new HostRuntime(runtime, binary == null ? HostRuntime.interpreterOnPath(runtime) : binary, files);
        });
    }

    /**
     * Compresses the Node runtime layer into jib's layer cache by containerizing the bare runtime to a throwaway
     * tar: on this kind of machine gzip of the ~100 MB node binary takes 8-15 s, which the first build would
     * otherwise pay.
     */
    @Override
    public void prepare() {
        if (!isHost(LanguageRuntime.NODE)) return;
        var hostRuntime = hostRuntime(LanguageRuntime.NODE);
        var mine = new CompletableFuture<Void>();
        if (!preparing.compareAndSet(null, mine)) return;
        Path tar = null;
        try {
            // closed before this began: close() did not see it, so nothing may be written now
            if (closed) return;
            Files.createDirectories(applicationLayersCache);
            tar = Files.createTempFile(applicationLayersCache.getParent(), "runtime-", ".tar");
            Jib.fromScratch()
                    .addFileEntriesLayer(hostRuntime.layer())
                    .setCreationTime(Instant.EPOCH)
                    .containerize(Containerizer.to(TarImage.at(tar).named("cronhook/runtime"))
                            .setToolName("cronhook")
                            .setExecutorService(jibThreads)
                            .setBaseImageLayersCache(baseLayersCache)
                            .setApplicationLayersCache(applicationLayersCache));
            logger.info("Node runtime layer ready in the layer cache");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            logger.warn("could not prepare the Node runtime layer ahead of the first build: {}", e.toString());
        } finally {
            mine.complete(null);
            if (tar != null) {
                try {
                    Files.deleteIfExists(tar);
                } catch (IOException ignored) {
                    // a leftover temp tar costs disk only
                }
            }
        }
    }

    private void awaitPreparation(BuildLog buildLog) throws InterruptedException {
        var running = preparing.get();
        if (running == null || running.isDone()) return;
        buildLog.system("waiting for the Node runtime layer being prepared");
        try {
            running.get();
        } catch (ExecutionException e) {
            // prepare() never completes exceptionally
        }
    }

    public ImageTarget target() {
        return target;
    }

    /**
     * With images loaded into the local engine, leaves each one's code in {@code handoff} too, for the executors of
     * this host (see {@link CodeHandoff}); null stops. Images pushed to a registry are read there by layer digest.
     */
    public void handOffCode(CodeHandoff handoff) {
        this.handoff = handoff;
    }

    /** Where this builder leaves each image's code for the executors; null: nowhere. */
    public CodeHandoff codeHandoff() {
        return handoff;
    }

    @Override
    public BuiltImage build(ImageSpec spec, BuildLog log) throws BuildFailedException, InterruptedException {
        Layout layout;
        var runtime = spec.runtime();
        try {
            layout = container(spec);
        } catch (IOException | InvalidImageReferenceException e) {
            throw new BuildFailedException("cannot lay out the image: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new BuildFailedException("no base for " + runtime.language() + ": " + e.getMessage(), e);
        }
        if (runtime == LanguageRuntime.NODE) awaitPreparation(log);
        log.system("building image " + spec.repository() + ":" + spec.tag() + " from "
                + (isHost(runtime) ? "this host's " + runtime.interpreter() : baseImage(runtime)) + " for "
                + target);
        JibContainer built = retry.call("image build and push", log, () -> containerize(layout.container(), spec, log));
        if (target instanceof ImageTarget.Registry registry) {
            String ref = registry.host() + "/" + spec.repository() + "@" + built.getDigest();
            log.system("pushed " + ref);
            return new BuiltImage(ref, built.getDigest().toString());
        }
        String ref = spec.repository() + ":" + spec.tag();
        log.system("loaded " + ref + " into the Docker engine (image id " + built.getImageId() + ")");
        handOff(built.getImageId().toString(), layout.code(), log);
        return new BuiltImage(ref, built.getImageId().toString());
    }

    /** An image's container and the layers that hold its code (under {@code /app}), in order. */
    private record Layout(JibContainerBuilder container, List<FileEntriesLayer> code) {}

    /**
     * Leaves the code of an image just loaded into the engine where this host's executors find it. A failure here
     * fails nothing: an executor then reads the code out of the image, as it would without a handoff.
     */
    private void handOff(String imageId, List<FileEntriesLayer> code, BuildLog log) {
        var to = handoff;
        if (to == null) return;
        try {
            to.publish(imageId, into -> writeCode(code, into));
        } catch (IOException | RuntimeException e) {
            logger.warn("could not leave the code of image {} for the executors: {}", imageId, e.toString());
            log.system("could not leave the code for the executors (they will read it out of the image): " + e);
        }
    }

    /**
     * Writes what the layers put under {@code /app} into {@code into}, as the image has it: the layers in order (a
     * later entry replaces an earlier one), a file's content read through symbolic links as jib reads it, directories
     * {@code rwxr-xr-x} and files with the entry's permissions. A file is a hard link to its source where that
     * already has them (the dependency cache, the script's stored files), else a copy.
     */
    static void writeCode(List<FileEntriesLayer> code, Path into) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        Files.setPosixFilePermissions(root, CODE_DIRECTORY);
        for (var layer : code) {
            for (FileEntry entry : layer.getEntries()) {
                String inImage = entry.getExtractionPath().toString();
                if (!inImage.startsWith(Harness.APP_DIR + "/")) continue;
                Path made = root.resolve(inImage.substring(Harness.APP_DIR.length() + 1))
                        .normalize();
                if (!made.startsWith(root) || made.equals(root)) {
                    throw new IOException("an entry outside the code's directory: " + inImage);
                }
                Path source = entry.getSourceFile();
                if (Files.isDirectory(source)) {
                    if (!Files.isDirectory(made, LinkOption.NOFOLLOW_LINKS)) Files.deleteIfExists(made);
                    directories(root, made);
                    continue;
                }
                directories(root, made.getParent());
                Files.deleteIfExists(made);
                var wanted = permissions(entry.getPermissions());
                if (!linked(source, made, wanted)) {
                    Files.copy(source, made, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(made, wanted);
                }
            }
        }
    }

    private static final java.util.Set<PosixFilePermission> CODE_DIRECTORY =
            PosixFilePermissions.fromString("rwxr-xr-x");

    /** Makes {@code dir} and its missing parents up to {@code root}, each {@code rwxr-xr-x} (as jib's tar has them). */
    private static void directories(Path root, Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        if (!dir.equals(root)) directories(root, dir.getParent());
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, CODE_DIRECTORY);
    }

    /** Hard-links {@code made} to {@code source} when it is a plain file that has the wanted permissions already. */
    private static boolean linked(Path source, Path made, java.util.Set<PosixFilePermission> wanted) {
        try {
            if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) return false;
            if (!Files.getPosixFilePermissions(source, LinkOption.NOFOLLOW_LINKS)
                    .equals(wanted)) return false;
            Files.createLink(made, source);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            // another file system, or links refused: a copy
            return false;
        }
    }

    private static java.util.Set<PosixFilePermission> permissions(FilePermissions permissions) {
        int bits = permissions.getPermissionBits();
        var out = java.util.EnumSet.noneOf(PosixFilePermission.class);
        // PosixFilePermission's constants run from OWNER_READ (0400) down to OTHERS_EXECUTE (0001)
        for (var permission : PosixFilePermission.values()) {
            if ((bits & (0400 >> permission.ordinal())) != 0) out.add(permission);
        }
        return out;
    }

    private Layout container(ImageSpec spec) throws IOException, InterruptedException, InvalidImageReferenceException {
        var runtime = spec.runtime();
        String baseImage = baseImage(runtime);
        JibContainerBuilder container;
        String interpreter = runtime.interpreter();
        if (isHost(runtime)) {
            var host = hostRuntime(runtime);
            container = Jib.fromScratch().addFileEntriesLayer(host.layer());
            // by name where the image's PATH finds it (as images always were started), else by its path
            var inImage = Path.of(host.interpreterPathInImage());
            boolean onPath = inImage.getFileName().toString().equals(runtime.interpreter())
                    && List.of(PATH.split(":")).contains(String.valueOf(inImage.getParent()));
            interpreter = onPath ? runtime.interpreter() : inImage.toString();
        } else if (baseImage.startsWith("docker://")) {
            container = Jib.from(DockerDaemonImage.named(baseImage.substring("docker://".length())));
        } else if (baseImage.startsWith("tar://")) {
            container = Jib.from(
                    TarImage.at(Path.of(baseImage.substring("tar://".length()))).named("cronhook/base"));
        } else {
            var base = RegistryImage.named(baseImage);
            if (target instanceof ImageTarget.Registry r
                    && r.username() != null
                    && baseImage.startsWith(r.host() + "/")) {
                base.addCredential(r.username(), r.password());
            }
            container = Jib.from(base);
        }
        var code = new ArrayList<FileEntriesLayer>();
        var deps = spec.dependencies();
        if (!deps.isEmpty()) {
            code.add(FileEntriesLayer.builder()
                    .setName(runtime.dependencyDir())
                    .addEntryRecursive(
                            deps.nodeModules(),
                            APP.resolve(runtime.dependencyDir()),
                            (source, inContainer) -> Files.isDirectory(source) ? DIRECTORY : READABLE,
                            (source, inContainer) -> FIXED_TIME)
                    .build());
        }
        var readable = FilePermissions.fromOctalString("644");
        code.add(FileEntriesLayer.builder()
                .setName("harness")
                .addEntry(
                        files.store(runtime.harnessSource(), "-" + runtime.harnessFile()),
                        APP.resolve(runtime.harnessFile()),
                        readable,
                        FIXED_TIME)
                .build());
        var script = FileEntriesLayer.builder()
                .setName("script")
                .addEntry(
                        files.store(spec.packageJson().getBytes(StandardCharsets.UTF_8), "-" + runtime.manifestFile()),
                        APP.resolve(runtime.manifestFile()),
                        readable,
                        FIXED_TIME)
                .addEntry(
                        files.store(spec.code().getBytes(StandardCharsets.UTF_8), "-" + runtime.scriptFile()),
                        APP.resolve(runtime.scriptFile()),
                        readable,
                        FIXED_TIME);
        for (var file : spec.files().entrySet()) {
            script.addEntry(
                    files.store(
                            file.getValue().getBytes(StandardCharsets.UTF_8),
                            "-" + file.getKey().replace('/', '_')),
                    APP.resolve(file.getKey()),
                    readable,
                    FIXED_TIME);
        }
        code.add(script.build());
        code.forEach(container::addFileEntriesLayer);
        var environment = new java.util.HashMap<>(runtime.environment());
        environment.put("PATH", PATH);
        container
                .setEntrypoint(runtime.entrypoint(interpreter))
                .setProgramArguments(List.of())
                .setEnvironment(environment)
                .setWorkingDirectory(APP)
                .setUser(USER)
                .setLabels(Map.of(
                        "dev.cronhook.script",
                        spec.scriptId().toString(),
                        "dev.cronhook.version",
                        Integer.toString(spec.version()),
                        "dev.cronhook.language",
                        runtime.language(),
                        Harness.PROTOCOL_LABEL,
                        Integer.toString(Harness.PROTOCOL)))
                .setCreationTime(Instant.EPOCH);
        return new Layout(container, List.copyOf(code));
    }

    private JibContainer containerize(JibContainerBuilder container, ImageSpec spec, BuildLog log)
            throws TransientFailureException, BuildFailedException, InterruptedException {
        try {
            Containerizer containerizer =
                    switch (target) {
                        case ImageTarget.Registry r -> {
                            var image = RegistryImage.named(r.host() + "/" + spec.repository() + ":" + spec.tag());
                            if (r.username() != null) image.addCredential(r.username(), r.password());
                            yield Containerizer.to(image).setAllowInsecureRegistries(r.allowInsecure());
                        }
                        case ImageTarget.DockerDaemon d ->
                            Containerizer.to(DockerDaemonImage.named(spec.repository() + ":" + spec.tag())
                                            .setDockerExecutable(d.dockerExecutable()))
                                    .setAllowInsecureRegistries(true);
                    };
            containerizer
                    .setToolName("cronhook")
                    .setExecutorService(jibThreads)
                    .setBaseImageLayersCache(baseLayersCache)
                    .setApplicationLayersCache(applicationLayersCache)
                    .addEventHandler(LogEvent.class, e -> relay(e, log));
            return container.containerize(containerizer);
        } catch (InvalidImageReferenceException e) {
            throw new BuildFailedException("invalid image reference: " + e.getMessage(), e);
        } catch (RegistryUnauthorizedException | RegistryAuthenticationFailedException | InsecureRegistryException e) {
            throw new BuildFailedException("the registry refused the image: " + e.getMessage(), e);
        } catch (RegistryException | IOException e) {
            throw new TransientFailureException(describe(e), e);
        } catch (ExecutionException e) {
            var cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RegistryUnauthorizedException
                    || cause instanceof RegistryAuthenticationFailedException
                    || cause instanceof InsecureRegistryException) {
                throw new BuildFailedException("the registry refused the image: " + describe(cause), cause);
            }
            throw new TransientFailureException(describe(cause), cause);
        } catch (com.google.cloud.tools.jib.api.CacheDirectoryCreationException e) {
            throw new BuildFailedException("cannot create jib's layer cache: " + e.getMessage(), e);
        }
    }

    private static void relay(LogEvent event, BuildLog log) {
        String message = event.getMessage();
        switch (event.getLevel()) {
            case ERROR, WARN, LIFECYCLE, INFO -> {
                // jib lists every file of every layer at INFO: thousands of lines for a node_modules tree
                if (message.isBlank()
                        || message.startsWith("\t")
                        || message.startsWith("Containerizing application with the following files")) {
                    return;
                }
                log.system("jib: " + message);
            }
            case PROGRESS, DEBUG -> {}
        }
    }

    private static String describe(Throwable e) {
        var sb = new StringBuilder(e.getClass().getSimpleName());
        if (e.getMessage() != null) sb.append(": ").append(e.getMessage());
        for (var c = e.getCause(); c != null && c != e; c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(" (")
                        .append(c.getClass().getSimpleName())
                        .append(": ")
                        .append(c.getMessage())
                        .append(')');
            }
            if (c.getCause() == c) break;
        }
        return sb.toString();
    }

    /**
     * Stops jib's threads and waits (at most 20 s) for a preparation under way to end: it writes into the cache
     * directory, which whoever closed this may be about to remove (a test's temporary home was found not empty,
     * the preparation's files appearing while it was deleted).
     */
    @Override
    public void close() {
        closed = true;
        jibThreads.shutdownNow();
        var running = preparing.get();
        try {
            if (running != null) running.get(20, TimeUnit.SECONDS);
            jibThreads.awaitTermination(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            logger.warn("the Node runtime layer's preparation did not end in time: {}", e.toString());
        }
    }
}

package dev.cronhook.executor.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import dev.cronhook.core.build.CodeHandoff;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.io.FileTrees;
import dev.cronhook.executor.runtime.ImageUnavailableException;
import dev.cronhook.executor.runtime.ScriptFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A script version's code on the host (the image's {@link Harness#APP_DIR}: script, other files, {@code
 * node_modules}): what a shared sandbox receives, by hard links, on the version's first call there. Taken once per
 * image, from the registry when the image is a reference by digest into the configured one (only the code's layers,
 * by digest: never the runtime's, and no pull), else out of the image in the engine ({@code docker create}, never
 * started, and the archive of {@code /app}).
 *
 * <p>Under {@code root}: {@code layers/<hex>/} for each code layer unpacked (what it holds under {@code /app}), shared
 * by every image with that layer (the harness layer always; {@code node_modules} whenever the dependencies match);
 * and {@code <image hash>/} for each version, its layers combined in order by hard links (a later layer's file
 * replaces an earlier one's). Everything readable by every uid and writable by none but this process; each directory
 * made whole in a temporary one and renamed, so a directory that exists is complete. Thread-safe; one fetch per
 * layer and one extraction per image at a time however many calls want it.
 */
final class VersionCode {
    private static final Logger log = LoggerFactory.getLogger(VersionCode.class);
    /** Nothing of an archive is written outside its directory, and no more than this in all. */
    static final long MAX_BYTES = 1L << 30;
    /** No more entries than this in one archive (a tree of empty files is no script's code either). */
    static final int MAX_ENTRIES = 500_000;

    private static final String LAYERS = "layers";
    private static final String APP = Harness.APP_DIR.substring(1);

    private final DockerClient docker;
    private final Path root;
    private final Map<String, String> labels;
    private final Map<String, CompletableFuture<Path>> taken = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Path>> layers = new ConcurrentHashMap<>();
    private final Map<String, RegistryImage> described = new ConcurrentHashMap<>();
    /**
     * A tree of at most this many entries is hard-linked from Java; a larger one by {@code cp -al} (one process, a few
     * times faster for a node_modules tree, but starting it costs more than linking a script's few files).
     */
    static final int SMALL_TREE = 256;
    /** Entries of the layer and version directories this process made, by path: small trees are linked from Java. */
    private final Map<Path, Integer> treeSizes = new ConcurrentHashMap<>();

    private final ImagePresence engine;
    private volatile RegistryClient registry;

    /**
     * How long a registry that could not be read at all (no connection, no answer in time) is left alone: each
     * version's first call would otherwise wait out the same deadlines (up to 13 s) before the engine's way.
     */
    static final int UNREACHABLE_SECONDS = 30;

    private static final long UNREACHABLE_FOR_NANOS = UNREACHABLE_SECONDS * 1_000_000_000L;
    /** When the registry last could not be read ({@link System#nanoTime}); long ago at first. */
    private volatile long unreachableSince = longAgo();

    private volatile CodeHandoff handoff;

    /** Makes sure the engine has an image (pulling it if not); says its id ({@code sha256:…}, null if unknown). */
    interface ImagePresence {
        String ensure(String image) throws InterruptedException;
    }

    /**
     * Code under {@code root}; containers created to read images labelled {@code labels}; {@code engine} makes sure
     * an image is there before it is read in the engine (one read in the registry so far may not be).
     */
    VersionCode(DockerClient docker, Path root, Map<String, String> labels, ImagePresence engine) {
        this.docker = docker;
        this.root = root;
        this.labels = Map.copyOf(labels);
        this.engine = engine;
    }

    /** Reads the code of images in {@code registry}'s registry from it from now on; null: from the engine only. */
    void registry(RegistryClient registry) {
        this.registry = registry;
        unreachableSince = longAgo();
    }

    /** A time of {@link #unreachableSince} that no longer counts: a registry not known to be unreachable. */
    private static long longAgo() {
        return System.nanoTime() - 2 * UNREACHABLE_FOR_NANOS;
    }

    /** Takes the code of images in the engine from where this host's builder left it, when it did; null: never. */
    void handoff(CodeHandoff handoff) {
        this.handoff = handoff;
    }

    /** Where unpacked layers are kept. */
    Path layersDir() {
        return root.resolve(LAYERS);
    }

    /**
     * {@code image} as the configured registry describes it (labels, layers), without the engine; null when it is not
     * an image of that registry or the registry cannot say now (logged at debug).
     *
     * @throws ImageCodeRefusedException when the registry's manifest is not the one the reference names
     */
    RegistryImage describe(String image) throws InterruptedException {
        var client = registry;
        var reference = RegistryReference.parse(image).orElse(null);
        if (client == null || reference == null || !client.serves(reference)) return null;
        var known = described.get(image);
        if (known != null) return known;
        long now = System.nanoTime();
        if (now - unreachableSince < UNREACHABLE_FOR_NANOS) {
            log.debug("{}: the registry could not be read lately, not asked again yet", image);
            return null;
        }
        try {
            var read = client.describe(reference);
            described.put(image, read);
            log.debug("{} described by the registry in {} ms", reference, (System.nanoTime() - now) / 1_000_000);
            return read;
        } catch (RegistryUnreachableException e) {
            unreachableSince = System.nanoTime();
            log.debug("{}: {}; the registry is not asked again for {} s", image, e.getMessage(), UNREACHABLE_SECONDS);
            return null;
        } catch (RegistryUnreadableException e) {
            log.debug("{}: {}", image, e.getMessage());
            return null;
        } catch (IOException e) {
            log.debug("{}: could not read the registry: {}", image, e.toString());
            return null;
        }
    }

    /** The directory holding {@code image}'s code, taking it out of the registry or the image first if this process has not. */
    Path of(String image) throws IOException, InterruptedException {
        var mine = new CompletableFuture<Path>();
        var existing = taken.putIfAbsent(image, mine);
        if (existing != null) return await(existing);
        try {
            Path dir = extract(image);
            mine.complete(dir);
            return dir;
        } catch (IOException | RuntimeException | InterruptedException e) {
            taken.remove(image, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private static Path await(CompletableFuture<Path> future) throws IOException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            var cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof InterruptedException)
                throw new IOException("interrupted while taking the code", cause);
            throw new IOException(cause);
        }
    }

    private Path extract(String image) throws IOException, InterruptedException {
        Path dir = root.resolve(name(image));
        if (Files.isDirectory(dir)) return dir;
        Files.createDirectories(root);
        var fromRegistry = describe(image);
        if (fromRegistry != null) {
            try {
                return fromRegistry(fromRegistry, dir);
            } catch (RegistryUnreadableException e) {
                log.debug("{}: taking the code out of the image in the engine instead: {}", image, e.getMessage());
            }
        }
        String id = engine.ensure(image);
        var handed = handoff;
        var left = handed == null ? null : handed.of(id).orElse(null);
        if (left != null) {
            try {
                var linked = fromHandoff(image, left, dir);
                handed.used(id);
                return linked;
            } catch (IOException e) {
                // pruned while it was being linked (it had gone unused for long): read out of the image instead
                log.debug(
                        "{}: the builder's handoff could not be linked, taking the code out of the image: {}",
                        image,
                        e.toString());
            }
        }
        return fromEngine(image, dir);
    }

    /**
     * The version's code as the builder of this host left it for the image's id: linked into this executor's own
     * directory (the handoff's may be on another file system, and outlives this executor's), no container created.
     */
    private Path fromHandoff(String image, Path left, Path dir) throws IOException {
        long t0 = System.nanoTime();
        FileTrees.publish(dir, partial -> ScriptFiles.linkDirectory(left, partial));
        log.debug("code of {} from the builder's handoff in {} ms", image, (System.nanoTime() - t0) / 1_000_000);
        return dir;
    }

    /** The version's code as its code layers combined, each fetched (once for every image that has it) by digest. */
    private Path fromRegistry(RegistryImage image, Path dir) throws IOException, InterruptedException {
        var code = image.codeLayers();
        if (code.isEmpty()) {
            throw new RegistryUnreadableException("its layers are not named as the builder names them (no harness and"
                    + " script layers at the end of its history)");
        }
        for (var layer : code) {
            if (!layer.readable()) {
                throw new RegistryUnreadableException("layer " + layer.digest() + " is " + layer.mediaType());
            }
        }
        long t0 = System.nanoTime();
        var unpacked = new ArrayList<Path>();
        for (var layer : code) unpacked.add(layer(image.reference(), layer));
        long t1 = System.nanoTime();
        FileTrees.publish(dir, partial -> combine(unpacked, partial));
        int total = 0;
        for (Path layer : unpacked) total += treeSizes.getOrDefault(layer, SMALL_TREE + 1);
        treeSizes.put(dir, total);
        if (log.isDebugEnabled()) {
            log.debug(
                    "code of {} from the registry: {} layer(s) in {} ms, combined in {} ms",
                    image.reference(),
                    code.size(),
                    (t1 - t0) / 1_000_000,
                    (System.nanoTime() - t1) / 1_000_000);
        }
        return dir;
    }

    /** The directory of one code layer unpacked, fetching it first if no image has had it yet. */
    private Path layer(RegistryReference reference, RegistryImage.Layer layer)
            throws IOException, InterruptedException {
        var mine = new CompletableFuture<Path>();
        var existing = layers.putIfAbsent(layer.digest(), mine);
        if (existing != null) return await(existing);
        try {
            Path dir = layersDir().resolve(layer.digest().substring("sha256:".length()));
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(layersDir());
                int[] count = {0};
                FileTrees.publish(
                        dir,
                        partial -> count[0] = registry.readBlob(
                                reference,
                                layer,
                                MAX_BYTES,
                                content -> untar(
                                        layer.gzipped() ? new GZIPInputStream(content, 65536) : content,
                                        partial,
                                        layer.digest())));
                treeSizes.put(dir, count[0]);
            }
            mine.complete(dir);
            return dir;
        } catch (IOException | RuntimeException | InterruptedException e) {
            layers.remove(layer.digest(), mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * Lays {@code unpacked} layers over one another in {@code target}, in order, by hard links: a later layer's file
     * replaces an earlier one's (a file replacing a directory replaces the whole directory, and the other way round).
     */
    void combine(List<Path> unpacked, Path target) throws IOException {
        link(unpacked.getFirst(), target);
        for (Path layer : unpacked.subList(1, unpacked.size())) overlay(layer, target);
    }

    /**
     * Mirrors {@code source} (a layer's or a version's directory this process made) at {@code target}, a path that
     * does not exist yet, by hard links: from Java for a small tree, by {@link ScriptFiles#linkDirectory} otherwise.
     */
    void link(Path source, Path target) throws IOException {
        if (treeSizes.getOrDefault(source, SMALL_TREE + 1) > SMALL_TREE) {
            ScriptFiles.linkDirectory(source, target);
            return;
        }
        Files.createDirectories(target.getParent());
        overlay(source, target);
    }

    private static void overlay(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Path made = target.resolve(source.relativize(d).toString());
                if (Files.exists(made, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isDirectory(made, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(made);
                }
                if (!Files.isDirectory(made, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(made);
                    Files.setPosixFilePermissions(made, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path made = target.resolve(source.relativize(file).toString());
                FileTrees.delete(made);
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(made, Files.readSymbolicLink(file));
                } else if (attrs.isRegularFile()) {
                    try {
                        Files.createLink(made, file);
                    } catch (IOException | UnsupportedOperationException e) {
                        // on another file system than the code: a copy
                        Files.copy(file, made, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** The version's code taken out of its image in the engine: a container created (never started) and read. */
    private Path fromEngine(String image, Path dir) throws IOException, InterruptedException {
        String container;
        try {
            // created, never started: the engine lets us read its file system
            container = docker.createContainerCmd(image)
                    .withLabels(labels)
                    .withNetworkDisabled(true)
                    .exec()
                    .getId();
        } catch (RuntimeException e) {
            throw new ImageUnavailableException("could not read the code of " + image + ": " + e.getMessage(), e);
        }
        try (InputStream archive =
                docker.copyArchiveFromContainerCmd(container, Harness.APP_DIR).exec()) {
            int[] count = {0};
            FileTrees.publish(dir, partial -> count[0] = untar(archive, partial));
            treeSizes.put(dir, count[0]);
            return dir;
        } finally {
            try {
                docker.removeContainerCmd(container).withForce(true).exec();
            } catch (RuntimeException e) {
                // the next start of this executor removes containers with its label
            }
        }
    }

    /**
     * Writes the archive of {@code /app} (entries {@code app/...}) into {@code target}: directories and regular
     * files only, plus relative symbolic links (npm's {@code .bin}); nothing outside {@code target}.
     */
    static int untar(InputStream archive, Path target) throws IOException {
        return untar(archive, target, null);
    }

    /**
     * Writes what an archive holds under its first directory into {@code target}: for the archive of {@code /app}
     * ({@code layer} null) whatever that directory is called; for an image layer (its digest given) only entries
     * under {@code app/}, the rest of the layer being no part of the code. Directories, regular files and relative
     * symbolic links that stay inside; other symbolic links are left out; permissions are made {@code rwxr-xr-x} or
     * {@code rw-r--r--}. A layer's whiteouts ({@code .wh.*}: files deleted from the layers below), hard links and
     * devices are not taken ({@link RegistryUnreadableException}: the engine's path handles them); an entry leaving
     * the directory is refused ({@link ImageCodeRefusedException}).
     */
    static int untar(InputStream archive, Path target, String layer) throws IOException {
        Files.createDirectories(target);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        String source = layer == null ? "the image's code" : "layer " + layer;
        long total = 0;
        int entries = 0;
        try (var tar = new TarArchiveInputStream(archive)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (++entries > MAX_ENTRIES) {
                    throw new ImageCodeRefusedException(source + " has more than " + MAX_ENTRIES + " entries");
                }
                String name = entry.getName();
                String inside = inside(name, layer != null, source);
                if (inside == null || inside.isEmpty()) continue;
                Path path = target.resolve(inside).normalize();
                if (!path.startsWith(target) || path.equals(target)) {
                    throw new ImageCodeRefusedException("an entry of " + source + " leaves its directory: " + name);
                }
                if (layer != null && path.getFileName().toString().startsWith(".wh.")) {
                    throw new RegistryUnreadableException(source + " deletes files of the layers below (whiteout "
                            + name + "), which this reader does not apply");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else if (entry.isSymbolicLink()) {
                    Path link = Path.of(entry.getLinkName());
                    if (!link.isAbsolute()
                            && path.getParent().resolve(link).normalize().startsWith(target)) {
                        Files.createDirectories(path.getParent());
                        if (layer != null) FileTrees.delete(path);
                        Files.createSymbolicLink(path, link);
                    }
                } else if (layer != null && !regular(entry)) {
                    throw new RegistryUnreadableException(
                            source + " has an entry that is neither a file, a directory nor a symbolic link: " + name);
                } else if (entry.isFile()) {
                    total += entry.getSize();
                    if (total > MAX_BYTES) {
                        throw new ImageCodeRefusedException(source + " is larger than " + MAX_BYTES + " bytes");
                    }
                    Files.createDirectories(path.getParent());
                    if (layer != null && Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                        FileTrees.delete(path);
                    }
                    Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                    boolean executable = (entry.getMode() & 0111) != 0;
                    Files.setPosixFilePermissions(
                            path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
        return entries;
    }

    private static boolean regular(TarArchiveEntry entry) {
        byte flag = entry.getLinkFlag();
        return flag == TarArchiveEntry.LF_NORMAL
                || flag == TarArchiveEntry.LF_OLDNORM
                || flag == TarArchiveEntry.LF_CONTIG;
    }

    /**
     * Where, relative to the code's directory, an entry goes: null to leave it out. The archive of {@code /app} has
     * {@code app/...} (its first component is dropped); a layer has paths from the image's root, of which only those
     * under {@code app/} are code.
     */
    private static String inside(String name, boolean layer, String source) throws IOException {
        String path = name;
        while (path.startsWith("/") || path.startsWith("./")) path = path.substring(path.startsWith("/") ? 1 : 2);
        if (layer) {
            String normal = Path.of(path.isEmpty() ? "." : path).normalize().toString();
            if (normal.equals("..") || normal.startsWith("../")) {
                throw new ImageCodeRefusedException("an entry of " + source + " leaves its directory: " + name);
            }
            if (normal.equals(APP)) return "";
            if (!normal.startsWith(APP + "/")) return null;
            return normal.substring(APP.length() + 1);
        }
        int slash = path.indexOf('/');
        // the first component is the directory copied (app); the entry of that directory itself is skipped
        return slash < 0 ? "" : path.substring(slash + 1);
    }

    /** Removes every version's code and layer taken out by this owner (a new start of it takes them out anew). */
    void clear() {
        taken.clear();
        layers.clear();
        described.clear();
        treeSizes.clear();
        try {
            FileTrees.delete(root);
        } catch (IOException e) {
            // left for the next start
        }
    }

    /** A short name for the image's directory: the same image always gets the same one. */
    static String name(String image) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(image.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

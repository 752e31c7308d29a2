package dev.cronhook.executor.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.executor.runtime.ImageUnavailableException;
import dev.cronhook.executor.runtime.ScriptFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A script version's code on the host, taken once out of its image's {@link Harness#APP_DIR} (script, other files,
 * {@code node_modules}): what a shared sandbox receives, by hard links, on the version's first call there. One
 * directory per image under {@code root}, readable by every uid and writable by none but this process; made whole
 * in a temporary directory and renamed, so a directory that exists is complete. Thread-safe; one extraction per
 * image at a time however many calls want it.
 */
final class VersionCode {
    /** Nothing of the archive is written outside its directory, and no more than this in all. */
    private static final long MAX_BYTES = 1L << 30;

    private final DockerClient docker;
    private final Path root;
    private final Map<String, String> labels;
    private final Map<String, CompletableFuture<Path>> taken = new ConcurrentHashMap<>();

    VersionCode(DockerClient docker, Path root, Map<String, String> labels) {
        this.docker = docker;
        this.root = root;
        this.labels = Map.copyOf(labels);
    }

    /** The directory holding {@code image}'s code, taking it out of the image first if this process has not. */
    Path of(String image) throws IOException, InterruptedException {
        var mine = new CompletableFuture<Path>();
        var existing = taken.putIfAbsent(image, mine);
        if (existing != null) {
            try {
                return existing.get();
            } catch (ExecutionException e) {
                throw unwrap(e.getCause());
            }
        }
        try {
            Path dir = extract(image);
            mine.complete(dir);
            return dir;
        } catch (IOException | RuntimeException e) {
            taken.remove(image, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private static IOException unwrap(Throwable cause) {
        if (cause instanceof IOException io) return io;
        if (cause instanceof RuntimeException r) throw r;
        return new IOException(cause);
    }

    private Path extract(String image) throws IOException {
        Path dir = root.resolve(name(image));
        if (Files.isDirectory(dir)) return dir;
        Files.createDirectories(root);
        Path partial = root.resolve(".partial-" + UUID.randomUUID());
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
            untar(archive, partial);
            try {
                Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another executor of this owner took it out meanwhile
            }
            return dir;
        } finally {
            ScriptFiles.deleteTree(partial);
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
    static void untar(InputStream archive, Path target) throws IOException {
        Files.createDirectories(target);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        long total = 0;
        try (var tar = new TarArchiveInputStream(archive)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                int slash = name.indexOf('/');
                // the first component is the directory copied (app); the entry of that directory itself is skipped
                String inside = slash < 0 ? "" : name.substring(slash + 1);
                if (inside.isEmpty()) continue;
                Path path = target.resolve(inside).normalize();
                if (!path.startsWith(target) || path.equals(target)) {
                    throw new IOException("an entry of the image's code leaves its directory: " + name);
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else if (entry.isSymbolicLink()) {
                    Path link = Path.of(entry.getLinkName());
                    if (!link.isAbsolute()
                            && path.getParent().resolve(link).normalize().startsWith(target)) {
                        Files.createDirectories(path.getParent());
                        Files.createSymbolicLink(path, link);
                    }
                } else if (entry.isFile()) {
                    total += entry.getSize();
                    if (total > MAX_BYTES) throw new IOException("the image's code is larger than " + MAX_BYTES);
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                    boolean executable = (entry.getMode() & 0111) != 0;
                    Files.setPosixFilePermissions(
                            path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
    }

    /** Removes every version's code taken out by this owner (a new start of it takes them out anew). */
    void clear() {
        taken.clear();
        try {
            ScriptFiles.deleteTree(root);
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

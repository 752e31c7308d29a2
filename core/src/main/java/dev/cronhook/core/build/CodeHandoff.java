package dev.cronhook.core.build;

import dev.cronhook.core.io.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Where a builder that loads images into the local engine leaves each image's code (its {@code /app}: script, files,
 * harness, {@code node_modules}) for the executors of the same host, by image id: {@code <dir>/<id's hex>/}. An
 * executor's first call of such a version links the code from here instead of creating a container from the image
 * to read its {@code /app} back out of the engine (~150 ms). Only the platform writes here; a directory appears
 * whole (made beside it and renamed), and once there it is never changed: an image id names its content. A directory
 * neither published nor taken for a while goes ({@link #prune}): every version saved leaves one, and an executor
 * needs one only for a version's first call after it starts. Safe for several threads and processes.
 */
public final class CodeHandoff {
    /** The directory's name under the platform's home, where the builder and the executor both look by default. */
    public static final String DIR_NAME = "code-handoff";

    private static final Pattern IMAGE_ID = Pattern.compile("sha256:([0-9a-f]{64})");
    private static final Pattern CODE_DIR = Pattern.compile("[0-9a-f]{64}");
    /** A directory on its way out: renamed so, then deleted. */
    private static final String PRUNED_PREFIX = ".pruned-";
    /** A directory a publish ({@link FileTrees#publish}) is making older than this was left by one that died. */
    private static final Duration PARTIAL_LEFT_AFTER = Duration.ofHours(1);

    private final Path dir;

    public CodeHandoff(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** The default under the platform's home directory. */
    public static CodeHandoff under(Path home) {
        return new CodeHandoff(home.resolve(DIR_NAME));
    }

    /**
     * {@code cronhook.code-handoff-dir} when set, else {@link #DIR_NAME} under {@code cronhook.home} (else under
     * {@code ~/.cronhook}): where the builder and the executors of one host meet by default.
     */
    public static CodeHandoff configured(String dir, String home) {
        if (dir != null && !dir.isBlank()) return new CodeHandoff(Path.of(dir.strip()));
        if (home != null && !home.isBlank()) return under(Path.of(home.strip()));
        return under(Path.of(System.getProperty("user.home"), ".cronhook"));
    }

    public Path dir() {
        return dir;
    }

    /** Makes the code of one image, in a directory it is given (empty, on the same file system as the handoff). */
    @FunctionalInterface
    public interface Writer {
        void write(Path into) throws IOException;
    }

    /**
     * The directory holding the code of the image with this id ({@code sha256:<64 hex digits>}, as the engine and
     * jib name it), when the builder left it; empty otherwise, and for anything that is not such an id.
     */
    public Optional<Path> of(String imageId) {
        var hex = hex(imageId);
        if (hex == null) return Optional.empty();
        Path code = dir.resolve(hex);
        return Files.isDirectory(code, LinkOption.NOFOLLOW_LINKS) ? Optional.of(code) : Optional.empty();
    }

    /**
     * Leaves the code of the image with this id: {@code writer} makes it in a new directory beside the others,
     * which is then renamed into place. When the image's code is there already (the same image built again) it is
     * kept and the new one dropped.
     *
     * @throws IllegalArgumentException for an id that is not {@code sha256:<64 hex digits>}
     */
    public void publish(String imageId, Writer writer) throws IOException {
        var hex = hex(imageId);
        if (hex == null) throw new IllegalArgumentException("not an image id: " + imageId);
        Path target = dir.resolve(hex);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            touch(target);
            return;
        }
        Files.createDirectories(dir);
        // made meanwhile by another build of the same image: the same content, kept
        FileTrees.publish(target, partial -> {
            Files.createDirectory(partial);
            writer.write(partial);
        });
    }

    /**
     * Notes that the code of this image was just taken (an executor linked it): {@link #prune} counts from a
     * directory's last publish or use. Best effort.
     */
    public void used(String imageId) {
        var hex = hex(imageId);
        if (hex != null) touch(dir.resolve(hex));
    }

    private static void touch(Path code) {
        try {
            Files.setLastModifiedTime(code, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // gone meanwhile, or not ours to change: pruned a little sooner at worst
        }
    }

    /**
     * Removes the code of every image neither published nor taken within {@code unusedFor} before {@code now} (an
     * executor then reads such a version's code out of its image on its first call, once, as without a handoff), and
     * what publishes and prunes that died left behind; returns how many images' code went. Each directory goes
     * whole: renamed out of {@link #of}'s sight first, then deleted.
     */
    public int prune(Duration unusedFor, Instant now) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        var cutoff = now.minus(unusedFor);
        var old = new ArrayList<Path>();
        var leftovers = new ArrayList<Path>();
        try (var entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) continue;
                Instant modified;
                try {
                    modified = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS)
                            .toInstant();
                } catch (java.nio.file.NoSuchFileException e) {
                    continue; // moved away meanwhile (a publish, another process's prune)
                }
                if (CODE_DIR.matcher(name).matches()) {
                    if (modified.isBefore(cutoff)) old.add(entry);
                } else if (name.startsWith(PRUNED_PREFIX)
                        || (name.startsWith(FileTrees.PARTIAL_PREFIX)
                                && modified.isBefore(now.minus(PARTIAL_LEFT_AFTER)))) {
                    leftovers.add(entry);
                }
            }
        }
        int pruned = 0;
        for (Path code : old) {
            Path out = dir.resolve(PRUNED_PREFIX + UUID.randomUUID());
            try {
                Files.move(code, out, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.NoSuchFileException e) {
                continue; // pruned by another process meanwhile
            }
            pruned++;
            // out of sight already; what cannot be deleted now is the next prune's leftover
            FileTrees.deleteQuietly(out);
        }
        for (Path left : leftovers) FileTrees.deleteQuietly(left);
        return pruned;
    }

    private static String hex(String imageId) {
        if (imageId == null) return null;
        var matcher = IMAGE_ID.matcher(imageId);
        return matcher.matches() ? matcher.group(1) : null;
    }
}

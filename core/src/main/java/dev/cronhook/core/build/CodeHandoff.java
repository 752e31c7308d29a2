package dev.cronhook.core.build;

import dev.cronhook.core.io.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a builder that loads images into the local engine leaves each image's code (its {@code /app}: script, files,
 * harness, {@code node_modules}) for the executors of the same host, by image id: {@code <dir>/<id's hex>/}. An
 * executor's first call of such a version links the code from here instead of creating a container from the image
 * to read its {@code /app} back out of the engine (~150 ms). Only the platform writes here; a directory appears
 * whole (made beside it and renamed), and once there it is never changed: an image id names its content. Safe for
 * several threads and processes.
 */
public final class CodeHandoff {
    /** The directory's name under the platform's home, where the builder and the executor both look by default. */
    public static final String DIR_NAME = "code-handoff";

    private static final Pattern IMAGE_ID = Pattern.compile("sha256:([0-9a-f]{64})");

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
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) return;
        Files.createDirectories(dir);
        // made meanwhile by another build of the same image: the same content, kept
        FileTrees.publish(target, partial -> {
            Files.createDirectory(partial);
            writer.write(partial);
        });
    }

    private static String hex(String imageId) {
        if (imageId == null) return null;
        var matcher = IMAGE_ID.matcher(imageId);
        return matcher.matches() ? matcher.group(1) : null;
    }
}

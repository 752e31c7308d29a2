package dev.cronhook.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;

/** Directory trees on the local disk: the one way the modules remove one. */
public final class FileTrees {
    /** How a tree being made beside its place is named (a crash leaves it behind under this name). */
    /** What a directory being made is named until it is renamed into place. */
    public static final String PARTIAL_PREFIX = ".partial-";

    private FileTrees() {}

    /** Makes the tree at a path it is given, which does not exist yet (it creates it). */
    @FunctionalInterface
    public interface Maker<E extends Exception> {
        void make(Path dir) throws IOException, E;
    }

    /**
     * Makes {@code target} whole before anyone can see it: {@code maker} makes the tree at a new path beside it,
     * which is then renamed into place in one step. When {@code target} appeared meanwhile (another thread or process
     * made the same), that one is kept and this one dropped. Whatever was not renamed into place is removed, also
     * when the maker fails.
     *
     * @return whether this call's tree is the one in place
     */
    public static <E extends Exception> boolean publish(Path target, Maker<E> maker) throws IOException, E {
        Path partial = target.resolveSibling(PARTIAL_PREFIX + UUID.randomUUID());
        try {
            maker.make(partial);
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (FileSystemException e) {
                // rename(2) onto a directory that is not empty fails with ENOTEMPTY, which the JDK reports as a
                // plain FileSystemException (not DirectoryNotEmptyException): the tree made meanwhile is kept
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) return false;
                throw e;
            }
        } finally {
            deleteQuietly(partial);
        }
    }

    /**
     * Removes {@code dir} and everything under it, deepest first; a symbolic link is removed, never followed (what
     * it points at stays). Nothing when {@code dir} does not exist; the first failure is thrown.
     */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * As {@link #delete}, but goes on past what it cannot remove and throws nothing: for leftovers, where what is
     * left costs disk and a later sweep removes it.
     */
    public static void deleteQuietly(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left behind; its directory's delete fails too and is passed over the same way
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the tree could not be walked (it went meanwhile, or is not ours to read)
        }
    }
}

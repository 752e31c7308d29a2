package dev.cronhook.builder.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Files named by the sha256 of their content, written once and never rewritten: jib keys its layer cache on the
 * source files' paths and modification times, so an unchanged file must keep both between builds.
 */
public final class ContentAddressedFiles {
    private final Path dir;

    public ContentAddressedFiles(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the file holding these bytes, writing it (atomically) only if it is not there yet. */
    public Path store(byte[] content, String suffix) {
        Path file = dir.resolve(sha256(content) + suffix);
        if (Files.exists(file)) return file;
        try {
            Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
            Files.write(tmp, content);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

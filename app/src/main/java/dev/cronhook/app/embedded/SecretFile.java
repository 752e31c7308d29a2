package dev.cronhook.app.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** A random credential kept in a file of {@code CRONHOOK_HOME} that only the platform's user can read. */
public final class SecretFile {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretFile() {}

    /**
     * The value in {@code file}; when there is no such file yet, a new random one (192 bits, URL-safe) written there
     * first. The file is created with mode 0600, so it is never readable by others, not even for a moment.
     */
    public static String readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] raw = new byte[24];
            RANDOM.nextBytes(raw);
            write(file, Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
        }
        return Files.readString(file).trim();
    }

    /** Writes {@code value} to {@code file} (replacing it), which is mode 0600 from the moment it exists. */
    public static void write(Path file, String value) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, value);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

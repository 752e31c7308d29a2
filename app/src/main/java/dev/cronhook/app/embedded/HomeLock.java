package dev.cronhook.app.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process at a time runs the embedded PostgreSQL and Redis of a {@code CRONHOOK_HOME}: a second one started on the
 * same home would take their data directories for a crashed process's leftovers and stop the first one's servers. An
 * exclusive lock on {@code <home>/embedded.lock}, held while the process lives (the system lets go of it when the
 * process dies, however it dies), with the holder's pid in the file for the message.
 */
public final class HomeLock implements AutoCloseable {
    static final String FILE_NAME = "embedded.lock";

    /** Holds the lock while it is open (closing it lets go). */
    private final FileChannel channel;

    private HomeLock(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Takes the home's lock.
     *
     * @throws HomeInUseException when another process (or this one) holds it
     */
    public static HomeLock acquire(Path home) throws IOException {
        Files.createDirectories(home);
        Path file = home.resolve(FILE_NAME);
        var channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldHere) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder;
            try {
                holder = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                holder = "";
            } finally {
                channel.close();
            }
            throw new HomeInUseException(home, holder);
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
        channel.force(false);
        return new HomeLock(channel);
    }

    /** Lets go of the lock; a failure to is nothing to act on: the system lets go as this process ends. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // let go of at the latest when this process ends
        }
    }

    /** Another process runs the embedded services of this home. */
    public static final class HomeInUseException extends IllegalStateException {
        HomeInUseException(Path home, String holder) {
            super("CRONHOOK_HOME " + home + " is in use: another Cronhook"
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + " runs its embedded PostgreSQL and Redis. Stop that one, or start this one with another"
                    + " CRONHOOK_HOME (or with CRONHOOK_DB_URL and CRONHOOK_REDIS_URL)");
        }
    }
}

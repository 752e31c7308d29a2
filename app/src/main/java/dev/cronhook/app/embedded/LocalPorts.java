package dev.cronhook.app.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for servers that are started again on the same port after a crash (the embedded PostgreSQL and
 * Redis under their {@link Supervisor}).
 *
 * <p>A port the kernel hands out for {@code bind(0)} lies in its ephemeral range, the same range it takes the local
 * ports of outgoing connections from. While such a server is down, any outgoing connection of the machine (a
 * connection pool reconnecting, say) may be given its port, and the server's restart then fails with "address in
 * use". So these ports are taken below the ephemeral range (or above it when there is no room below), where the
 * kernel never puts an outgoing connection; only when neither side has room is the port an ephemeral one.
 */
public final class LocalPorts {
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LINUX_DEFAULT_LOW = 32768, LINUX_DEFAULT_HIGH = 60999;
    /** Below this lie the registered ports of common services; they are left alone. */
    static final int LOWEST = 10_000;
    /** A side of the range with fewer ports than this is not used. */
    private static final int LEAST_ROOM = 1_000;

    private static final int TRIES = 200;
    /** Ports already handed out by this process, so two servers of one process never get the same port. */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private LocalPorts() {}

    /** A loopback port free now, outside the kernel's ephemeral range where it can be. */
    public static int stable() throws IOException {
        return stable(ephemeralRange());
    }

    static int stable(int[] ephemeral) throws IOException {
        int low = LOWEST, high = ephemeral[0] - 1;
        if (high - low + 1 < LEAST_ROOM) {
            low = Math.max(LOWEST, ephemeral[1] + 1);
            high = 65535;
        }
        if (high - low + 1 >= LEAST_ROOM) {
            var random = ThreadLocalRandom.current();
            for (int i = 0; i < TRIES; i++) {
                int port = low + random.nextInt(high - low + 1);
                if (!GIVEN.contains(port) && free(port) && GIVEN.add(port)) return port;
            }
        }
        return ephemeral();
    }

    /** The kernel's ephemeral range as {low, high}; Linux's default when it cannot be read. */
    static int[] ephemeralRange() {
        try {
            return parseRange(Files.readString(EPHEMERAL_RANGE));
        } catch (IOException | RuntimeException e) {
            return new int[] {LINUX_DEFAULT_LOW, LINUX_DEFAULT_HIGH};
        }
    }

    static int[] parseRange(String text) {
        var parts = text.strip().split("\\s+");
        if (parts.length != 2) throw new IllegalArgumentException("not a port range: " + text);
        int low = Integer.parseInt(parts[0]), high = Integer.parseInt(parts[1]);
        if (low < 1 || high > 65535 || low > high) throw new IllegalArgumentException("not a port range: " + text);
        return new int[] {low, high};
    }

    private static boolean free(int port) {
        try (var s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeral() throws IOException {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            GIVEN.add(s.getLocalPort());
            return s.getLocalPort();
        }
    }
}

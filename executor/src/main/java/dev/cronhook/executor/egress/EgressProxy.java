package dev.cronhook.executor.egress;

import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.net.PrivateAddressGuard;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only way out of a sandbox: an HTTP proxy the executor runs for each sandbox on a Unix socket in the sandbox's
 * own directory (the sandbox has no network interface but loopback). It takes {@code CONNECT host:port} (TLS and
 * anything else, tunnelled) and absolute-form {@code http://} requests (forwarded, one per connection). For each it
 * checks the host against the allow-list of the script whose call is in progress, resolves it, and connects only to
 * an address that is public or that the operator allowed ({@link PrivateAddressGuard}): the check is on the address
 * it connects to, so DNS rebinding and redirects to a private address fail too. A refusal is answered at once with
 * 403 and a one-line reason the harness turns into the script's error. Between calls nothing is admitted.
 */
public final class EgressProxy {
    private static final Logger log = LoggerFactory.getLogger(EgressProxy.class);

    /** Why a connection was refused: the host is not on the script's allow-list. */
    public static final String NOT_ALLOWED = "not in this script's allow-list";
    /** Why a connection was refused: the name resolved to (or is) a private address. */
    public static final String PRIVATE = "private address";
    /** Why a connection was refused: no call of the script is in progress in the sandbox. */
    public static final String NO_RUN = "no run in progress";
    /** The header of a refusal, so the harness tells it from an upstream's own 403. */
    public static final String BLOCKED_HEADER = "X-Cronhook-Egress";

    static final String SOCKET_FILE = "egress.sock";
    /** Connections one sandbox may have open through its gate at once (tunnels and requests not yet decided). */
    public static final int MAX_CONNECTIONS = 256;

    private static final int MAX_HEAD_BYTES = 16 * 1024;
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("egress-timer").factory());

    private final PrivateAddressGuard guard;
    private final Map<String, InetSocketAddress> testHosts;
    private final EgressObserver observer;
    private final byte[] extraCaCertificates;

    /**
     * @param guard which private addresses the operator allowed ({@code CRONHOOK_EGRESS_ALLOW_PRIVATE})
     * @param testHosts test-only: {@code host:port} names answered with a fixed address, past the private-address
     *     check (off unless configured; see {@link #parseTestHosts})
     */
    public EgressProxy(PrivateAddressGuard guard, Map<String, InetSocketAddress> testHosts, EgressObserver observer) {
        this(guard, testHosts, observer, null);
    }

    /**
     * As above, with {@code extraCaCertificates} (PEM) that sandboxes trust besides the public CAs, for an internal
     * service with a private CA the operator allowed (null: none).
     */
    public EgressProxy(
            PrivateAddressGuard guard,
            Map<String, InetSocketAddress> testHosts,
            EgressObserver observer,
            byte[] extraCaCertificates) {
        this.extraCaCertificates = extraCaCertificates == null ? null : extraCaCertificates.clone();
        this.guard = guard;
        this.testHosts = Map.copyOf(testHosts);
        this.observer = observer;
        if (!this.testHosts.isEmpty()) {
            log.warn("egress test host mapping is on (a test setting; never in production): {}", this.testHosts);
        }
    }

    /**
     * Test-only host mapping, {@code name:port=address:port} comma-separated, e.g. {@code
     * api.example.test:443=127.0.0.1:38443}: connections to that name and port go to that address, which may be
     * private.
     */
    public static Map<String, InetSocketAddress> parseTestHosts(String setting) {
        var map = new LinkedHashMap<String, InetSocketAddress>();
        if (setting == null || setting.isBlank()) return map;
        for (String entry : setting.split("[,\\s]+")) {
            if (entry.isBlank()) continue;
            int eq = entry.indexOf('=');
            if (eq < 0)
                throw new IllegalArgumentException("egress test host \"" + entry + "\" is not name:port=ip:port");
            URI to = URI.create("tcp://" + entry.substring(eq + 1));
            if (to.getHost() == null || to.getPort() < 1) {
                throw new IllegalArgumentException("egress test host \"" + entry + "\" is not name:port=ip:port");
            }
            map.put(entry.substring(0, eq).toLowerCase(Locale.ROOT), new InetSocketAddress(to.getHost(), to.getPort()));
        }
        return map;
    }

    /**
     * The proxy as the operator configured it: {@code allowPrivate} ({@code CRONHOOK_EGRESS_ALLOW_PRIVATE}) and,
     * for tests only, {@code testHosts} ({@code CRONHOOK_EGRESS_TEST_HOSTS}).
     */
    public static EgressProxy configured(
            String allowPrivate, String testHosts, String extraCaCertificates, EgressObserver observer) {
        byte[] pem = null;
        if (extraCaCertificates != null && !extraCaCertificates.isBlank()) {
            try {
                pem = Files.readAllBytes(Path.of(extraCaCertificates.trim()));
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "CRONHOOK_EGRESS_CA_CERTIFICATES: cannot read " + extraCaCertificates + ": " + e, e);
            }
            if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
                throw new IllegalArgumentException(
                        "CRONHOOK_EGRESS_CA_CERTIFICATES: " + extraCaCertificates + " holds no PEM certificate");
            }
        }
        return new EgressProxy(PrivateAddressGuard.allowing(allowPrivate), parseTestHosts(testHosts), observer, pem);
    }

    /** The PEM certificates sandboxes trust besides the public CAs, or null for none. */
    public byte[] extraCaCertificates() {
        return extraCaCertificates == null ? null : extraCaCertificates.clone();
    }

    /** The socket file's name in a sandbox's directory. */
    public static String socketFileName() {
        return SOCKET_FILE;
    }

    /**
     * Listens on {@code socketFile} for one sandbox; the sandbox's user must be able to connect (the file is made
     * writable by all: its directory is the sandbox's own).
     */
    public Gate open(Path socketFile) throws IOException {
        var listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(socketFile), 64);
            Files.setPosixFilePermissions(socketFile, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException | RuntimeException e) {
            listener.close();
            Files.deleteIfExists(socketFile);
            throw e;
        }
        var gate = new Gate(listener, socketFile);
        Thread.ofVirtual().name("egress-accept").start(gate::accept);
        return gate;
    }

    /** What the current call of a sandbox may reach. */
    private record Admission(UUID scriptId, EgressPolicy policy) {}

    /** One sandbox's proxy: which call it serves now, and its open connections. */
    public final class Gate implements Closeable {
        private final ServerSocketChannel listener;
        private final Path socketFile;
        private final Set<Connection> open = ConcurrentHashMap.newKeySet();
        private volatile Admission admission;
        /** The script of the last call, which a connection attempt between calls is counted against. */
        private volatile UUID lastScript;

        private volatile boolean closed;

        private Gate(ServerSocketChannel listener, Path socketFile) {
            this.listener = listener;
            this.socketFile = socketFile;
        }

        /**
         * Admits connections for a call of {@code scriptId} under {@code policy} until {@link #closeCall}; open
         * connections the policy no longer allows are cut.
         */
        public void admit(UUID scriptId, EgressPolicy policy) {
            var now = new Admission(scriptId, policy == null ? EgressPolicy.none() : policy);
            admission = now;
            lastScript = scriptId;
            for (var c : open) {
                if (!now.scriptId.equals(c.scriptId) || !now.policy.allows(c.host, c.port)) c.close();
            }
        }

        /** The call ended: nothing more is admitted (open connections, such as a client's keep-alive, stay). */
        public void closeCall() {
            admission = null;
            // what a kept-alive connection carried in this call counts now, not when it closes
            for (var c : open) c.flush();
        }

        private void accept() {
            while (!closed) {
                SocketChannel client;
                try {
                    client = listener.accept();
                } catch (IOException e) {
                    return;
                }
                var c = new Connection(client);
                if (open.size() >= MAX_CONNECTIONS) {
                    // one sandbox does not get to hold the executor's file descriptors
                    Thread.ofVirtual().name("egress-refusal").start(() -> {
                        try {
                            // read first: closing on a request not read would reset the answer away
                            if (c.readHead() == null) return;
                            c.answer(
                                    429,
                                    "Too Many Requests",
                                    "egress blocked: this sandbox already has " + MAX_CONNECTIONS
                                            + " connections open");
                        } catch (IOException e) {
                            // gone already
                        } finally {
                            c.close();
                        }
                    });
                    continue;
                }
                open.add(c);
                if (closed) {
                    c.close();
                    return;
                }
                Thread.ofVirtual().name("egress-connection").start(() -> serve(c));
            }
        }

        private void serve(Connection c) {
            try {
                var head = c.readHead();
                if (head == null) return;
                var target = Target.of(head);
                if (target == null) {
                    c.answer(400, "Bad Request", "the egress proxy takes CONNECT host:port and http:// requests only");
                    return;
                }
                var now = admission;
                if (now == null) {
                    c.refuse(target, NO_RUN, lastScript);
                    return;
                }
                c.scriptId = now.scriptId;
                c.host = target.host;
                c.port = target.port;
                if (!now.policy.allows(target.host, target.port)) {
                    c.refuse(target, NOT_ALLOWED, now.scriptId);
                    return;
                }
                var upstream = connect(target, c, now.scriptId);
                if (upstream == null) return;
                c.upstream = upstream;
                observer.connected(now.scriptId);
                if (target.connect) {
                    c.write("HTTP/1.1 200 Connection Established\r\n\r\n");
                    if (head.rest.hasRemaining()) c.up.addAndGet(writeAll(upstream, head.rest));
                } else {
                    c.up.addAndGet(writeAll(upstream, ByteBuffer.wrap(target.forwardHead())));
                    if (head.rest.hasRemaining()) c.up.addAndGet(writeAll(upstream, head.rest));
                }
                c.relay();
            } catch (IOException | RuntimeException e) {
                // the sandbox or the upstream hung up
            } finally {
                c.close();
                open.remove(c);
                c.flush();
            }
        }

        /** The upstream connection for an allowed target, or null once the client has been told why not. */
        private SocketChannel connect(Target target, Connection c, UUID scriptId) throws IOException {
            var mapped = testHosts.get(target.host + ":" + target.port);
            List<InetSocketAddress> candidates = new ArrayList<>();
            if (mapped != null) {
                candidates.add(mapped);
            } else {
                InetAddress[] addresses;
                try {
                    addresses = InetAddress.getAllByName(target.host);
                } catch (UnknownHostException e) {
                    c.answer(502, "Bad Gateway", "egress to " + target + " failed: the name does not resolve");
                    return null;
                }
                for (var address : addresses) {
                    if (guard.permits(target.host, target.port, address)) {
                        candidates.add(new InetSocketAddress(address, target.port));
                    }
                }
                if (candidates.isEmpty()) {
                    c.refuse(target, PRIVATE, scriptId);
                    return null;
                }
            }
            IOException last = null;
            for (var address : candidates) {
                var upstream = SocketChannel.open();
                var timer = TIMERS.schedule(
                        () -> closeQuietly(upstream), CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                try {
                    upstream.connect(address);
                    timer.cancel(false);
                    return upstream;
                } catch (IOException e) {
                    timer.cancel(false);
                    closeQuietly(upstream);
                    last = e;
                }
            }
            c.answer(
                    502,
                    "Bad Gateway",
                    "egress to " + target + " failed: " + (last == null ? "no address" : last.getMessage()));
            return null;
        }

        /** Stops listening and cuts every connection: the sandbox is gone. */
        @Override
        public void close() {
            if (closed) return;
            closed = true;
            admission = null;
            closeQuietly(listener);
            for (var c : open) c.close();
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                // removed with its directory
            }
        }

        /** The socket it listens on. */
        public Path socketFile() {
            return socketFile;
        }

        /** Open connections (for tests). */
        public int openConnections() {
            return open.size();
        }

        /** One connection from the sandbox, and its upstream once made. */
        private final class Connection {
            final SocketChannel client;
            volatile SocketChannel upstream;
            volatile UUID scriptId;
            volatile String host;
            volatile int port;
            final AtomicLong up = new AtomicLong();
            final AtomicLong down = new AtomicLong();

            Connection(SocketChannel client) {
                this.client = client;
            }

            /** The request head and what came after it, or null when the client went away or sent too much. */
            Head readHead() throws IOException {
                var buffer = ByteBuffer.allocate(MAX_HEAD_BYTES);
                var timer = TIMERS.schedule(this::close, HEAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                try {
                    while (buffer.hasRemaining()) {
                        if (client.read(buffer) < 0) return null;
                        int end = endOfHead(buffer.array(), buffer.position());
                        if (end >= 0) {
                            String text = new String(buffer.array(), 0, end, StandardCharsets.ISO_8859_1);
                            var rest = ByteBuffer.wrap(buffer.array(), end, buffer.position() - end);
                            return new Head(text, rest);
                        }
                    }
                    answer(431, "Request Header Fields Too Large", "the request head exceeds " + MAX_HEAD_BYTES);
                    // what the client sent beyond the limit, read so that closing does not reset the answer away
                    client.shutdownOutput();
                    client.configureBlocking(false);
                    while (client.read(buffer.clear()) > 0) {
                        // discarded
                    }
                    return null;
                } finally {
                    timer.cancel(false);
                }
            }

            void refuse(Target target, String reason, UUID scriptId) throws IOException {
                if (scriptId != null) observer.blocked(scriptId, reason);
                respond(
                        403,
                        "Forbidden",
                        BLOCKED_HEADER + ": blocked\r\n",
                        "egress to " + target + " blocked: " + reason);
            }

            void answer(int status, String phrase, String message) throws IOException {
                respond(status, phrase, "", message);
            }

            /** A whole answer that ends the connection: {@code headers} (each ending in CRLF) and a text body. */
            private void respond(int status, String phrase, String headers, String message) throws IOException {
                byte[] body = message.getBytes(StandardCharsets.UTF_8);
                write("HTTP/1.1 " + status + " " + phrase + "\r\n" + headers
                        + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n" + message);
            }

            void write(String text) throws IOException {
                writeAll(client, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            }

            /** Copies both ways until both directions have ended. */
            void relay() throws IOException {
                var upstream = this.upstream;
                var back = Thread.ofVirtual().name("egress-relay").start(() -> copy(upstream, client, down));
                copy(client, upstream, up);
                try {
                    back.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            private static void copy(SocketChannel from, SocketChannel to, AtomicLong count) {
                var buffer = ByteBuffer.allocate(32 * 1024);
                try {
                    while (from.read(buffer) >= 0) {
                        buffer.flip();
                        count.addAndGet(writeAll(to, buffer));
                        buffer.clear();
                    }
                    to.shutdownOutput();
                } catch (IOException e) {
                    // one side is gone: the other goes too
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }

            /** Tells the observer what it carried since it last did. */
            void flush() {
                if (scriptId == null || upstream == null) return;
                long out = up.getAndSet(0);
                long in = down.getAndSet(0);
                if (out > 0 || in > 0) observer.carried(scriptId, out, in);
            }

            void close() {
                closeQuietly(client);
                var u = upstream;
                if (u != null) closeQuietly(u);
            }
        }
    }

    private record Head(String text, ByteBuffer rest) {}

    /** Where a request wants to go: {@code CONNECT host:port}, or an absolute-form {@code http://} URL. */
    private record Target(String host, int port, boolean connect, String head) {
        static Target of(Head head) {
            String text = head.text;
            int lineEnd = text.indexOf("\r\n");
            String[] line = (lineEnd < 0 ? text : text.substring(0, lineEnd)).split(" ");
            if (line.length != 3 || !line[2].startsWith("HTTP/1.")) return null;
            try {
                if (line[0].equals("CONNECT")) {
                    var uri = URI.create("tcp://" + line[1]);
                    if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) return null;
                    return new Target(host(uri), uri.getPort(), true, text);
                }
                var uri = URI.create(line[1]);
                if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) return null;
                int port = uri.getPort() > 0 ? uri.getPort() : 80;
                return new Target(host(uri), port, false, text);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        private static String host(URI uri) {
            String h = uri.getHost().toLowerCase(Locale.ROOT);
            return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        }

        /** The forwarded request's head: origin-form, no proxy headers, one request per connection. */
        byte[] forwardHead() {
            String[] lines = head.split("\r\n");
            String[] first = lines[0].split(" ");
            var uri = URI.create(first[1]);
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) path += "?" + uri.getRawQuery();
            var out = new StringBuilder(first[0]).append(' ').append(path).append(" HTTP/1.1\r\n");
            for (int i = 1; i < lines.length; i++) {
                String name = lines[i].contains(":")
                        ? lines[i].substring(0, lines[i].indexOf(':')).trim().toLowerCase(Locale.ROOT)
                        : "";
                if (name.startsWith("proxy-") || name.equals("connection") || name.equals("keep-alive")) continue;
                out.append(lines[i]).append("\r\n");
            }
            out.append("Connection: close\r\n\r\n");
            return out.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private static int endOfHead(byte[] bytes, int length) {
        for (int i = 3; i < length; i++) {
            if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') return i + 1;
        }
        return -1;
    }

    private static long writeAll(SocketChannel channel, ByteBuffer buffer) throws IOException {
        long n = 0;
        while (buffer.hasRemaining()) n += channel.write(buffer);
        return n;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is all that is left to do
        }
    }
}

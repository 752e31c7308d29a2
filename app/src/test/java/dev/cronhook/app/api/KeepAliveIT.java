package dev.cronhook.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.TestPlatform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One HTTP/1.1 keep-alive connection, spoken byte by byte, against the running application: a request that arrives
 * while the one before it is still being answered waits its turn, and the connection goes on reading after it. (A
 * server that answers the waiting request and then stops reading leaves the client's next request unanswered for
 * good, with nothing in any log: Reactor Netty 1.3.7, which Spring Boot 4.1.1 brings, did that, reactor-netty issue
 * 4361; this test hung on its second round there.) A connection with no request in flight is closed after the idle
 * timeout; one whose request is still arriving is not.
 */
class KeepAliveIT {
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
    static TestPlatform platform;
    static String host;
    static int port;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api", Map.of("server.netty.idle-timeout", IDLE_TIMEOUT.toSeconds() + "s"));
        var base = URI.create(platform.baseUrl());
        host = base.getHost();
        port = base.getPort();
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    /** A response as read off the connection: its status and its body. */
    record Reply(int status, String body) {}

    @Test
    void aConnectionGoesOnServingAfterARequestThatWaitedForTheOneBeforeIt() throws IOException {
        try (var socket = new Socket(host, port)) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            var in = socket.getInputStream();
            for (int round = 0; round < 20; round++) {
                // readiness asks the database and Redis off the event loop; liveness is answered at once, and
                // arrives (sent in the same write) before readiness is done, so it waits in the server's queue
                send(out, get("/actuator/health/readiness") + get("/actuator/health/liveness"));
                assertThat(read(in, "round " + round + ", the first request"))
                        .extracting(Reply::status)
                        .isEqualTo(200);
                assertThat(read(in, "round " + round + ", the request that waited"))
                        .extracting(Reply::status)
                        .isEqualTo(200);

                // the next request on the connection, sent once both are answered
                send(out, get("/actuator/health/liveness"));
                var after = read(in, "round " + round + ", the request after the one that waited");
                assertThat(after.status()).isEqualTo(200);
                assertThat(after.body()).contains("UP");
            }
        }
    }

    @Test
    void aConnectionWithNoRequestInFlightIsClosedOnceIdleAndARequestInFlightIsNot() throws IOException {
        try (var socket = new Socket(host, port)) {
            socket.setSoTimeout(30_000);
            var out = socket.getOutputStream();
            var in = socket.getInputStream();

            // a request whose body comes after more than the idle timeout: in flight, so the connection stays
            byte[] body = ("{\"username\":\"admin\",\"password\":\"" + TestPlatform.ADMIN_PASSWORD + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            send(
                    out,
                    "POST /api/auth/login HTTP/1.1\r\nHost: " + host + ":" + port
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n");
            sleep(IDLE_TIMEOUT.multipliedBy(2));
            out.write(body);
            out.flush();
            var login = read(in, "a login whose body came late");
            assertThat(login.status()).as(login.body()).isEqualTo(200);
            assertThat(login.body()).contains("\"token\":\"chk_");

            // then nothing: the server closes the connection (before the read's 30 s are up)
            try {
                assertThat(in.read()).as("end of stream").isEqualTo(-1);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("an idle connection was still open after 30 s", e);
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n";
    }

    private static void send(OutputStream out, String requests) throws IOException {
        out.write(requests.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one response: a status line, headers, and a body framed by Content-Length or chunked. */
    private static Reply read(InputStream in, String what) throws IOException {
        try {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = -1;
            boolean chunked = false;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:"))
                    length = Integer.parseInt(lower.substring(15).strip());
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
            }
            var body = new ByteArrayOutputStream();
            if (chunked) {
                for (int size = Integer.parseInt(line(in).strip(), 16);
                        size > 0;
                        size = Integer.parseInt(line(in).strip(), 16)) {
                    body.write(in.readNBytes(size));
                    line(in);
                }
                line(in);
            } else if (length > 0) {
                body.write(in.readNBytes(length));
            }
            return new Reply(status, body.toString(StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            throw new AssertionError(
                    what + ": no answer within the read timeout on a connection that is still open", e);
        }
    }

    private static String line(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new IOException("the server closed the connection");
            if (b != '\r') line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}

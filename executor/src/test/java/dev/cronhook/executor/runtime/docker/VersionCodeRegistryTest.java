package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link VersionCode} remembers of a registry it could not read. */
class VersionCodeRegistryTest {
    @TempDir
    Path root;

    private VersionCode code(String host) {
        var code = new VersionCode(null, root, Map.of(), image -> null);
        code.registry(new RegistryClient(RegistryAccess.of(host, null, null, null)));
        return code;
    }

    @Test
    void aRegistryThatCannotBeReadAtAllIsNotAskedAgainForTheNextVersions() throws Exception {
        // a registry that takes each connection and drops it at once
        try (var server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var accepted = new AtomicInteger();
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (var connection = server.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            String host = "127.0.0.1:" + server.getLocalPort();
            var code = code(host);

            assertThat(code.describe(host + "/cronhook/a@sha256:" + "1".repeat(64)))
                    .isNull();
            int asked = accepted.get();
            assertThat(code.describe(host + "/cronhook/b@sha256:" + "2".repeat(64)))
                    .isNull();
            assertThat(code.describe(host + "/cronhook/c@sha256:" + "3".repeat(64)))
                    .isNull();

            assertThat(asked).as("the first version asked the registry").isPositive();
            assertThat(accepted.get()).as("the next ones did not wait for it").isEqualTo(asked);
        }
    }

    @Test
    void anImageTheRegistryDoesNotHaveSaysNothingOfTheNextOne() throws Exception {
        try (var registry = new StandInRegistry()) {
            var code = code(registry.host());

            assertThat(code.describe(registry.host() + "/cronhook/a@sha256:" + "1".repeat(64)))
                    .isNull();
            assertThat(code.describe(registry.host() + "/cronhook/b@sha256:" + "2".repeat(64)))
                    .isNull();

            assertThat(registry.count("/manifests/"))
                    .as("each version asked for its own manifest")
                    .isEqualTo(2);
        }
    }
}

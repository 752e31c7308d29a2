package dev.cronhook.executor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketDirsTest {
    @TempDir
    Path tmp;

    @Test
    void aPathThatFitsIsKept() {
        Path preferred = Path.of("/var/lib/cronhook/executor/sockets");

        assertThat(SocketDirs.fitting(preferred, "test", "/var/lib/cronhook")).contains(preferred);
    }

    @Test
    void aDeepHomeGetsAShortDirectoryOfItsOwnThatStaysTheSame() throws IOException {
        String home = tmp.resolve("a".repeat(80)).toString();
        Path preferred = Path.of(home, "executor", "sockets");

        var dir = SocketDirs.fitting(preferred, "test", home).orElseThrow();
        try {
            assertThat(dir).isNotEqualTo(preferred);
            assertThat(SocketDirs.fits(dir)).isTrue();
            assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx--x--x"));
            assertThat(SocketDirs.fitting(preferred, "test", home)).contains(dir);
            assertThat(SocketDirs.fitting(preferred, "test", home + "-another"))
                    .get()
                    .isNotEqualTo(dir);
        } finally {
            Files.deleteIfExists(dir);
            SocketDirs.fitting(preferred, "test", home + "-another")
                    .ifPresent(d -> d.toFile().delete());
        }
    }

    @Test
    void aLinkPlantedWhereTheShortDirectoryGoesIsNotFollowed() throws IOException {
        String home = tmp.resolve("b".repeat(80) + UUID.randomUUID()).toString();
        Path preferred = Path.of(home, "executor", "sockets");
        var planned = SocketDirs.fitting(preferred, "test", home).orElseThrow();
        Files.delete(planned);
        Files.createSymbolicLink(planned, tmp);
        try {
            assertThat(SocketDirs.fitting(preferred, "test", home)).isEmpty();
        } finally {
            Files.delete(planned);
        }
    }
}

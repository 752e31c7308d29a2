package dev.cronhook.app.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HomeLockTest {
    @TempDir
    Path home;

    @Test
    void aHomeIsLockedOnceAtATimeAndFreeAgainOnceItsHolderLetsGo() throws Exception {
        try (var held = HomeLock.acquire(home)) {
            assertThat(Files.readString(home.resolve(HomeLock.FILE_NAME)).strip())
                    .isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThatThrownBy(() -> HomeLock.acquire(home))
                    .isInstanceOf(HomeLock.HomeInUseException.class)
                    .hasMessageContaining("CRONHOOK_HOME " + home + " is in use")
                    .hasMessageContaining("(pid " + ProcessHandle.current().pid() + ")");
        }
        HomeLock.acquire(home).close();
    }

    @Test
    void aHomeThatDoesNotExistYetIsMadeAndLocked() throws Exception {
        try (var held = HomeLock.acquire(home.resolve("new"))) {
            assertThat(home.resolve("new").resolve(HomeLock.FILE_NAME)).exists();
        }
    }
}

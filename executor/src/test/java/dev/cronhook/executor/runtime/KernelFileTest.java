package dev.cronhook.executor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelFileTest {
    @TempDir
    Path dir;

    @Test
    void eachReadGivesWhatTheFileHoldsNowLongerOrShorter() throws IOException {
        Path events = Files.writeString(dir.resolve("pids.events"), "max 0\n");
        try (var file = new KernelFile(events)) {
            assertThat(file.read()).isEqualTo("max 0\n");
            Files.writeString(events, "max 12345\n");
            assertThat(file.read()).isEqualTo("max 12345\n");
            Files.writeString(events, "max 7\n");
            assertThat(file.read()).isEqualTo("max 7\n");
            assertThat(CgroupCounters.read(file, "max")).isEqualTo(7);
        }
    }

    @Test
    void aFileLargerThanOneReadIsReadWhole() throws IOException {
        String stat = "inactive_file 4096\n".repeat(200);
        try (var file = new KernelFile(Files.writeString(dir.resolve("memory.stat"), stat))) {
            assertThat(file.read()).isEqualTo(stat);
        }
    }

    @Test
    void theFileIsOpenedOnceAndReadInPlace() throws IOException {
        Path events = Files.writeString(dir.resolve("memory.events"), "oom_kill 2\n");
        try (var file = new KernelFile(events)) {
            assertThat(file.read()).isEqualTo("oom_kill 2\n");
            // an open per read would find no file now
            Files.delete(events);
            assertThat(file.read()).isEqualTo("oom_kill 2\n");
        }
    }

    @Test
    void aClosedFileIsReadAsGoneAndItsCountersAsZero() throws IOException {
        var file = new KernelFile(Files.writeString(dir.resolve("pids.events"), "max 3\n"));
        assertThat(CgroupCounters.read(file, "max")).isEqualTo(3);
        file.close();
        assertThatThrownBy(file::read).isInstanceOf(IOException.class);
        assertThat(CgroupCounters.read(file, "max")).isZero();
        assertThat(CgroupCounters.read(new KernelFile(dir.resolve("none")), "max"))
                .isZero();
    }
}

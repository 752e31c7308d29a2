package dev.cronhook.executor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupCountersTest {
    @TempDir
    Path dir;

    @Test
    void aCounterIsReadByItsWholeNameAndAnythingMissingIsZero() throws Exception {
        // memory.events as cgroup v2 writes it: "oom" and "oom_group_kill" must not be taken for "oom_kill"
        var events = Files.writeString(
                dir.resolve("memory.events"), "low 0\nhigh 0\nmax 5\noom 3\noom_kill 1\noom_group_kill 7\n");
        var loose = Files.writeString(dir.resolve("loose"), "  max\t\t42  \nbroken x\n");

        assertThat(CgroupCounters.read(events, "oom_kill")).isEqualTo(1);
        assertThat(CgroupCounters.read(events, "oom")).isEqualTo(3);
        assertThat(CgroupCounters.read(events, "max")).isEqualTo(5);
        assertThat(CgroupCounters.read(events, "oom_group")).isZero();
        assertThat(CgroupCounters.read(loose, "max"))
                .as("blanks of any kind around")
                .isEqualTo(42);
        assertThat(CgroupCounters.read(loose, "broken")).as("not a number").isZero();
        assertThat(CgroupCounters.read(dir.resolve("gone"), "max")).isZero();
    }

    @Test
    void aSmallFileIsReadWholeAtAnySizeAndAKernelFileAsTheKernelMakesIt() throws Exception {
        var empty = Files.writeString(dir.resolve("empty"), "");
        var small = Files.writeString(dir.resolve("small"), "max 3\n");
        String longer = "1234\n".repeat(1000); // past the first buffer, and the second, and the third
        var large = Files.writeString(dir.resolve("large"), longer);
        var exact = Files.writeString(dir.resolve("exact"), "x".repeat(512));

        assertThat(CgroupCounters.readSmall(empty)).isEmpty();
        assertThat(CgroupCounters.readSmall(small)).isEqualTo("max 3\n");
        assertThat(CgroupCounters.readSmall(large)).isEqualTo(longer);
        assertThat(CgroupCounters.readSmall(exact)).isEqualTo("x".repeat(512));
        // a file the kernel makes record by record on read (seq_file), several kilobytes here, unchanging meanwhile
        var mounts = Path.of("/proc/self/mountinfo");
        assertThat(Files.size(mounts)).as("the kernel reports no size").isZero();
        assertThat(CgroupCounters.readSmall(mounts)).hasSizeGreaterThan(512).isEqualTo(Files.readString(mounts));
    }
}

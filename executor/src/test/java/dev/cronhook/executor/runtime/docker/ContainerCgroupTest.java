package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerCgroupTest {
    static final String ID = "4f1c0ffee";

    @TempDir
    Path root;

    @Test
    void readsTheCountersOfAContainerOnCgroupV1() throws IOException {
        Path proc = Files.writeString(
                root.resolve("cgroup"),
                "12:pids:/docker/" + ID + "\n4:memory:/docker/" + ID + "\n1:name=systemd:/docker/" + ID + "\n0::/\n");
        Path pids = Files.createDirectories(root.resolve("pids/docker/" + ID));
        Path memory = Files.createDirectories(root.resolve("memory/docker/" + ID));
        Files.writeString(pids.resolve("pids.events"), "max 0\n");
        Files.writeString(memory.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");

        var group = ContainerCgroup.of(proc, root, ID).orElseThrow();
        assertThat(group.limitHit()).isEmpty();

        Files.writeString(pids.resolve("pids.events"), "max 3\n");
        assertThat(group.limitHit()).contains(DockerSandbox.PROCESS_LIMIT);

        Files.writeString(memory.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        assertThat(group.limitHit()).contains(DockerSandbox.MEMORY_LIMIT);
    }

    @Test
    void readsTheCountersOfAContainerOnCgroupV2() throws IOException {
        Path proc = Files.writeString(root.resolve("cgroup"), "0::/system.slice/docker-" + ID + ".scope\n");
        Path dir = Files.createDirectories(root.resolve("system.slice/docker-" + ID + ".scope"));
        Files.writeString(dir.resolve("pids.events"), "max 0\n");
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 4\noom 1\noom_kill 0\n");

        var group = ContainerCgroup.of(proc, root, ID).orElseThrow();
        assertThat(group.limitHit())
                .as("memory.events' max counts reclaim at the limit, not kills")
                .isEmpty();

        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 4\noom 1\noom_kill 2\n");
        assertThat(group.limitHit()).contains(DockerSandbox.MEMORY_LIMIT);
    }

    @Test
    void tellsWhetherAProcessOtherThanTheFirstIsInTheContainerOnCgroupV2() throws IOException {
        Path proc = Files.writeString(root.resolve("cgroup"), "0::/system.slice/docker-" + ID + ".scope\n");
        Path dir = Files.createDirectories(root.resolve("system.slice/docker-" + ID + ".scope"));
        var group = ContainerCgroup.of(proc, root, ID).orElseThrow();
        assertThat(group.holdsOtherThan(4242)).as("nothing to read").isEmpty();

        Files.writeString(dir.resolve("cgroup.stat"), "nr_descendants 0\nnr_dying_descendants 0\n");
        Files.writeString(dir.resolve("cgroup.procs"), "4242\n");
        assertThat(group.holdsOtherThan(4242)).contains(false);

        Files.writeString(dir.resolve("cgroup.procs"), "4242\n4250\n");
        assertThat(group.holdsOtherThan(4242)).as("a child left running").contains(true);

        Files.writeString(dir.resolve("cgroup.procs"), "4242\n0\n");
        assertThat(group.holdsOtherThan(4242))
                .as("a process of a pid namespace this host does not see")
                .contains(true);

        Files.writeString(dir.resolve("cgroup.procs"), "4242\n");
        Files.writeString(dir.resolve("cgroup.stat"), "nr_descendants 1\nnr_dying_descendants 0\n");
        assertThat(group.holdsOtherThan(4242))
                .as("a cgroup below the container's")
                .contains(true);
    }

    @Test
    void tellsWhetherAProcessOtherThanTheFirstIsInTheContainerOnCgroupV1() throws IOException {
        Path proc =
                Files.writeString(root.resolve("cgroup"), "12:pids:/docker/" + ID + "\n4:memory:/docker/" + ID + "\n");
        Path pids = Files.createDirectories(root.resolve("pids/docker/" + ID));
        var group = ContainerCgroup.of(proc, root, ID).orElseThrow();

        Files.writeString(pids.resolve("cgroup.procs"), "17\n");
        assertThat(group.holdsOtherThan(17)).contains(false);
        Files.writeString(pids.resolve("cgroup.procs"), "17\n18\n");
        assertThat(group.holdsOtherThan(17)).contains(true);
        assertThat(group.holdsOtherThan(18)).contains(true);
    }

    @Test
    void aProcessOutsideTheContainersCgroupIsNotTakenForIt() throws IOException {
        Path v1 = Files.writeString(root.resolve("v1"), "12:pids:/user.slice\n4:memory:/user.slice\n");
        Path v2 = Files.writeString(root.resolve("v2"), "0::/init.scope\n");

        assertThat(ContainerCgroup.of(v1, root, ID)).isEmpty();
        assertThat(ContainerCgroup.of(v2, root, ID)).isEmpty();
        assertThat(ContainerCgroup.of(root.resolve("no-such-process"), root, ID))
                .isEmpty();
    }
}

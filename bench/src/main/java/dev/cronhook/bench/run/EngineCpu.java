package dev.cronhook.bench.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time the Docker engine spends for a set of containers, read from /proc and the cgroup v1 cpuacct tree: dockerd
 * and containerd (whole processes: other users of the engine count too), the containers' containerd shims, and the
 * containers themselves (node). Linux only; a figure that cannot be read is -1.
 */
final class EngineCpu {
    private static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

    record Sample(long dockerd, long containerd, long shims, long containers) {
        Sample minus(Sample before) {
            return new Sample(
                    dockerd - before.dockerd,
                    containerd - before.containerd,
                    shims - before.shims,
                    containers - before.containers);
        }

        String perInvocation(int n) {
            return String.format(
                    "dockerd %.0f µs, containerd %.0f µs, shims %.0f µs, containers (node) %.0f µs per invocation",
                    dockerd / 1e3 / n, containerd / 1e3 / n, shims / 1e3 / n, containers / 1e3 / n);
        }
    }

    private final List<Long> shimPids;
    private final Collection<String> containerIds;
    private final long dockerd;
    private final long containerd;

    EngineCpu(Collection<String> containerIds) {
        this.containerIds = List.copyOf(containerIds);
        this.dockerd = pidOf("dockerd");
        this.containerd = pidOf("containerd");
        this.shimPids = new ArrayList<>();
        for (String id : containerIds) {
            long shim = shimOf(id);
            if (shim > 0) shimPids.add(shim);
        }
    }

    Sample sample() {
        long shims = 0;
        for (long pid : shimPids) shims += cpu(pid);
        long containers = 0;
        for (String id : containerIds) containers += cgroupCpu(id);
        return new Sample(cpu(dockerd), cpu(containerd), shims, containers);
    }

    int shims() {
        return shimPids.size();
    }

    private static long pidOf(String comm) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> comm.equals(read(p.resolve("comm")).trim()))
                    .mapToLong(p -> Long.parseLong(p.getFileName().toString()))
                    .min()
                    .orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long shimOf(String containerId) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> read(p.resolve("comm")).startsWith("containerd-shim"))
                    .filter(p -> read(p.resolve("cmdline")).contains(containerId))
                    .mapToLong(p -> Long.parseLong(p.getFileName().toString()))
                    .findFirst()
                    .orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    /** utime + stime of a process (its threads included), in nanoseconds. */
    private static long cpu(long pid) {
        if (pid <= 0) return -1;
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        int end = stat.lastIndexOf(')');
        if (end < 0) return -1;
        String[] fields = stat.substring(end + 2).split(" ");
        // fields after "pid (comm) ": state is [0], utime [11], stime [12]
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_NANOS;
    }

    private static long cgroupCpu(String containerId) {
        String usage = read(Path.of("/sys/fs/cgroup/cpuacct/docker", containerId, "cpuacct.usage"));
        return usage.isBlank() ? 0 : Long.parseLong(usage.trim());
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}

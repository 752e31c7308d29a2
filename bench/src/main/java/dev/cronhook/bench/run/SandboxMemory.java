package dev.cronhook.bench.run;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the running containers of one executor hold in memory on this host, each "all told": the kernel's charge to
 * its cgroup (anonymous and active file pages, not the inactive page cache the kernel reclaims first), and its
 * processes' proportional set size (PSS: pages shared with other processes, such as the node binary, divided among
 * them), plus the engine's share: the PSS of the container's shim process. A local engine with runc or crun only
 * (the host must see the container's processes and cgroup).
 */
public final class SandboxMemory {
    private SandboxMemory() {}

    /** One container: its cgroup's charge, its processes' PSS and its shim's PSS, in bytes. */
    public record Container(String id, long cgroupBytes, long processesPss, long shimPss) {
        /** What the container costs the host: its processes (PSS) and its shim. */
        public long allTold() {
            return processesPss + shimPss;
        }
    }

    /** The running containers labelled {@code label=value}. */
    public static List<Container> of(DockerClient docker, String label, String value) throws IOException {
        var out = new ArrayList<Container>();
        for (var c :
                docker.listContainersCmd().withLabelFilter(Map.of(label, value)).exec()) {
            var state = docker.inspectContainerCmd(c.getId()).exec().getState();
            Long pid = state == null ? null : state.getPidLong();
            if (pid == null || pid <= 0) continue;
            long shim = parent(pid);
            long processes = 0;
            for (long p : processesOf(pid)) processes += pss(p);
            out.add(new Container(c.getId(), cgroupCharge(pid, c.getId()), processes, shim > 1 ? pss(shim) : 0));
        }
        return out;
    }

    /** Prints the containers' figures: count, mean and max of each, and the sum all told. */
    public static void report(String what, List<Container> containers) {
        if (containers.isEmpty()) {
            System.out.println(what + ": no containers");
            return;
        }
        long[] cgroup = containers.stream().mapToLong(Container::cgroupBytes).toArray();
        long[] processes =
                containers.stream().mapToLong(Container::processesPss).toArray();
        long[] shim = containers.stream().mapToLong(Container::shimPss).toArray();
        long[] all = containers.stream().mapToLong(Container::allTold).toArray();
        System.out.printf(
                "%s: %d containers; per container mean (max) MiB: cgroup %.1f (%.1f), processes PSS %.1f (%.1f),"
                        + " shim PSS %.1f (%.1f), all told %.1f (%.1f); all told in sum %.1f MiB%n",
                what,
                containers.size(),
                mib(mean(cgroup)),
                mib(max(cgroup)),
                mib(mean(processes)),
                mib(max(processes)),
                mib(mean(shim)),
                mib(max(shim)),
                mib(mean(all)),
                mib(max(all)),
                mib(Arrays.stream(all).sum()));
    }

    /** The PSS of a process, from {@code /proc/<pid>/smaps_rollup}; 0 when it is gone. */
    public static long pss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) return kib(line);
            }
        } catch (IOException e) {
            // gone meanwhile
        }
        return 0;
    }

    private static long kib(String line) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
    }

    private static long parent(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[1]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The container's first process and its descendants on this host. */
    private static List<Long> processesOf(long first) {
        var all = new ArrayList<Long>();
        all.add(first);
        for (int i = 0; i < all.size(); i++) {
            try {
                for (String child : Files.readString(Path.of(
                                "/proc",
                                all.get(i).toString(),
                                "task",
                                all.get(i).toString(),
                                "children"))
                        .trim()
                        .split("\\s+")) {
                    if (!child.isEmpty()) all.add(Long.parseLong(child));
                }
            } catch (IOException | RuntimeException e) {
                // gone meanwhile
            }
        }
        return all;
    }

    /**
     * The cgroup's charge less its inactive file pages: cgroup v1 {@code memory.usage_in_bytes} less {@code
     * total_inactive_file}, v2 {@code memory.current} less {@code inactive_file}; 0 when not found.
     */
    private static long cgroupCharge(long pid, String id) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                String[] parts = line.split(":", 3);
                if (parts.length != 3 || !parts[2].contains(id)) continue;
                boolean v1 = parts[1].contains("memory");
                if (!v1 && !parts[1].isEmpty()) continue;
                Path dir = Path.of("/sys/fs/cgroup", v1 ? "memory" : "", parts[2].substring(1));
                long usage =
                        Long.parseLong(Files.readString(dir.resolve(v1 ? "memory.usage_in_bytes" : "memory.current"))
                                .trim());
                String inactive = v1 ? "total_inactive_file " : "inactive_file ";
                for (String stat : Files.readAllLines(dir.resolve("memory.stat"))) {
                    if (stat.startsWith(inactive)) usage -= Long.parseLong(stat.substring(inactive.length()));
                }
                return usage;
            }
        } catch (IOException | RuntimeException e) {
            // not visible here
        }
        return 0;
    }

    private static double mib(double bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static double mean(long[] values) {
        return Arrays.stream(values).average().orElse(0);
    }

    private static long max(long[] values) {
        return Arrays.stream(values).max().orElse(0);
    }
}

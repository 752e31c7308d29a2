package dev.cronhook.executor.runtime.docker;

import dev.cronhook.executor.runtime.CgroupCounters;
import dev.cronhook.executor.runtime.KernelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The kernel's counters of a container's limits, read from its cgroup on this host: how many forks its pids limit
 * refused and how many processes its memory limit killed. Only where this host sees the container's first process
 * (a local engine with runc or crun); a remote engine or gVisor's own kernel keeps them out of reach. The files read
 * after every call stay open until {@link #close} (the sandbox's end); the list of processes is opened for each look
 * (see {@link KernelFile}).
 */
final class ContainerCgroup implements AutoCloseable {
    private final KernelFile pidsEvents;
    private final KernelFile memoryEvents;
    private final String oomKillKey;
    private final KernelFile memoryUsage;
    private final KernelFile memoryStat;
    private final String inactiveKey;
    private final Path procs;
    private final KernelFile stat;

    private ContainerCgroup(
            Path pidsEvents,
            Path memoryEvents,
            String oomKillKey,
            Path memoryUsage,
            Path memoryStat,
            String inactiveKey,
            Path procs,
            Path stat) {
        this.pidsEvents = new KernelFile(pidsEvents);
        this.memoryEvents = new KernelFile(memoryEvents);
        this.oomKillKey = oomKillKey;
        this.memoryUsage = new KernelFile(memoryUsage);
        this.memoryStat = new KernelFile(memoryStat);
        this.inactiveKey = inactiveKey;
        this.procs = procs;
        this.stat = stat == null ? null : new KernelFile(stat);
    }

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    /**
     * The cgroup of the container {@code containerId} whose first process is {@code pid} as the engine sees it, from
     * {@code /proc/<pid>/cgroup} (v1 or v2); empty unless that is a process of this host in a cgroup named after the
     * container (a remote engine's pid, or another pid namespace's, is some other process here or none).
     */
    static Optional<ContainerCgroup> of(long pid, String containerId) {
        return of(Path.of("/proc", String.valueOf(pid), "cgroup"), CGROUP_ROOT, containerId);
    }

    static Optional<ContainerCgroup> of(Path procCgroup, Path root, String containerId) {
        Map<String, String> v1 = new HashMap<>();
        String unified = null;
        try {
            for (String line : Files.readAllLines(procCgroup)) {
                // hierarchy-id:controllers:path
                String[] parts = line.split(":", 3);
                if (parts.length != 3) continue;
                if (parts[1].isEmpty()) unified = parts[2];
                for (String controller : parts[1].split(",")) v1.put(controller, parts[2]);
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (v1.containsKey("pids") && v1.containsKey("memory")) {
            if (!v1.get("pids").contains(containerId)) return Optional.empty();
            Path pids = under(root.resolve("pids"), v1.get("pids"));
            Path memory = under(root.resolve("memory"), v1.get("memory"));
            return Optional.of(new ContainerCgroup(
                    pids.resolve("pids.events"),
                    memory.resolve("memory.oom_control"),
                    "oom_kill",
                    memory.resolve("memory.usage_in_bytes"),
                    memory.resolve("memory.stat"),
                    "total_inactive_file",
                    pids.resolve("cgroup.procs"),
                    null));
        }
        if (unified != null && unified.contains(containerId)) {
            Path dir = under(root, unified);
            return Optional.of(new ContainerCgroup(
                    dir.resolve("pids.events"),
                    dir.resolve("memory.events"),
                    "oom_kill",
                    dir.resolve("memory.current"),
                    dir.resolve("memory.stat"),
                    "inactive_file",
                    dir.resolve("cgroup.procs"),
                    dir.resolve("cgroup.stat")));
        }
        return Optional.empty();
    }

    private static Path under(Path root, String cgroupPath) {
        return root.resolve(cgroupPath.replaceFirst("^/+", ""));
    }

    /**
     * The memory the container holds now: what the kernel charges its cgroup, less the inactive page cache it would
     * reclaim first (as {@code docker stats} counts); empty when the files cannot be read (the container is gone).
     */
    OptionalLong memoryHeld() {
        try {
            long usage = Long.parseLong(memoryUsage.read().trim());
            return OptionalLong.of(Math.max(0, usage - CgroupCounters.read(memoryStat, inactiveKey)));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Whether a process other than {@code pid} is in the container: listed in its cgroup (a child the script left, an
     * orphan, a daemon: no process leaves the cgroup, which the container sees read-only and without the capability to
     * move anything), or in a cgroup below it (cgroup v2 counts them; none can be made from inside either). One or two
     * reads of the kernel's own list, where walking the first process's threads for children took one per thread.
     * Empty when the files cannot be read (the container is gone, or the kernel lacks them).
     */
    Optional<Boolean> holdsOtherThan(long pid) {
        try {
            if (stat != null && CgroupCounters.valueIn(stat.read(), "nr_descendants") > 0) {
                return Optional.of(true);
            }
            String self = Long.toString(pid);
            for (String line : CgroupCounters.readSmall(procs).split("\n")) {
                // a process this host's pid namespace does not see is listed as 0: another one too
                if (!line.isBlank() && !line.strip().equals(self)) return Optional.of(true);
            }
            return Optional.of(false);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The limit that killed or refused something in the container, as a run's error. */
    Optional<String> limitHit() {
        if (CgroupCounters.read(memoryEvents, oomKillKey) > 0) return Optional.of(DockerSandbox.MEMORY_LIMIT);
        if (CgroupCounters.read(pidsEvents, "max") > 0) return Optional.of(DockerSandbox.PROCESS_LIMIT);
        return Optional.empty();
    }

    /** Closes the files kept open; later reads find nothing (as for a container that is gone). */
    @Override
    public void close() {
        pidsEvents.close();
        memoryEvents.close();
        memoryUsage.close();
        memoryStat.close();
        if (stat != null) stat.close();
    }
}

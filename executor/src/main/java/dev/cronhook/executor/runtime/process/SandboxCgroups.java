package dev.cronhook.executor.runtime.process;

import dev.cronhook.executor.runtime.CgroupCounters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The cgroups this process may create for its sandboxes (memory, pids, CPU), under its own cgroup so a sandbox is
 * charged to whatever contains the executor: cgroup v1 (one hierarchy per controller) or v2 (one unified hierarchy),
 * detected once. {@link #detect} returns one that cannot limit anything, with the reason, where none may be created
 * (not root, a read-only {@code /sys/fs/cgroup}, a v2 parent without the controllers delegated).
 */
final class SandboxCgroups {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final List<String> V1_CONTROLLERS = List.of("memory", "pids", "cpu");

    enum Version {
        V1,
        V2,
        NONE
    }

    private final Version version;
    private final String reason;
    /** For each controller (v1) or the one hierarchy (v2, key "unified"): the directory sandboxes go under. */
    private final Map<String, Path> parents;

    private SandboxCgroups(Version version, String reason, Map<String, Path> parents) {
        this.version = version;
        this.reason = reason;
        this.parents = parents;
    }

    Version version() {
        return version;
    }

    boolean available() {
        return version != Version.NONE;
    }

    /** What limits sandboxes, or why cgroups do not. */
    String describe() {
        return switch (version) {
            case V1 -> "cgroup v1 under " + parents.get("memory").getParent();
            case V2 -> "cgroup v2 under " + parents.get("unified").getParent();
            case NONE -> "no cgroups (" + reason + ")";
        };
    }

    static SandboxCgroups none(String reason) {
        return new SandboxCgroups(Version.NONE, reason, Map.of());
    }

    /** Finds the hierarchy and makes {@code <own cgroup>/cronhook-<pid>} in it, with the controllers delegated. */
    static SandboxCgroups detect() {
        String group = "cronhook-" + ProcessHandle.current().pid();
        try {
            Map<String, String> own = ownCgroups();
            if (Files.isRegularFile(ROOT.resolve("cgroup.controllers"))) return detectV2(own.get(""), group);
            if (Files.isDirectory(ROOT.resolve("memory"))) return detectV1(own, group);
            return none("no cgroup hierarchy at " + ROOT);
        } catch (IOException | RuntimeException e) {
            return none(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static SandboxCgroups detectV1(Map<String, String> own, String group) throws IOException {
        var parents = new java.util.LinkedHashMap<String, Path>();
        for (String controller : V1_CONTROLLERS) {
            String path = own.get(controller);
            if (path == null) {
                // cpu is often co-mounted as "cpu,cpuacct"
                path = own.entrySet().stream()
                        .filter(e -> List.of(e.getKey().split(",")).contains(controller))
                        .map(Map.Entry::getValue)
                        .findFirst()
                        .orElse(null);
            }
            if (path == null) return none("the " + controller + " controller is not mounted");
            Path dir = ROOT.resolve(controller).resolve(path.substring(1)).resolve(group);
            removeStale(dir.getParent());
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                return none("cannot create " + dir + " (" + e.getClass().getSimpleName() + ")");
            }
            parents.put(controller, dir);
        }
        return new SandboxCgroups(Version.V1, null, Map.copyOf(parents));
    }

    private static SandboxCgroups detectV2(String own, String group) throws IOException {
        if (own == null) return none("this process is in no v2 cgroup");
        Path base = ROOT.resolve(own.substring(1));
        Path dir = base.resolve(group);
        removeStale(base);
        try {
            Files.createDirectories(dir);
            // delegation: a cgroup may hand controllers to its children only if it holds no process itself; the
            // root cgroup is exempt, other cgroups holding this JVM are not and end up here with a reason
            write(base.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
            write(dir.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
        } catch (IOException e) {
            return none("cannot delegate memory, pids and cpu under " + base + " (" + e + ")");
        }
        return new SandboxCgroups(Version.V2, null, Map.of("unified", dir));
    }

    /**
     * Removes the groups of executors that are gone (a JVM killed before it could clean up): {@code cronhook-<pid>}
     * whose pid no longer runs, with their sandboxes' groups, which its killed sandboxes left empty.
     */
    private static void removeStale(Path parent) {
        List<Path> groups;
        try (var list = Files.list(parent)) {
            groups = list.filter(p -> p.getFileName().toString().matches("cronhook-\\d+"))
                    .toList();
        } catch (IOException | RuntimeException e) {
            return;
        }
        for (Path group : groups) {
            long pid = Long.parseLong(group.getFileName().toString().substring("cronhook-".length()));
            if (ProcessHandle.of(pid).isPresent()) continue;
            try (var sandboxes = Files.list(group)) {
                for (Path sandbox : sandboxes.filter(Files::isDirectory).toList()) Files.deleteIfExists(sandbox);
                Files.deleteIfExists(group);
            } catch (IOException | RuntimeException e) {
                // a group still holding a process (or one we may not remove) stays
            }
        }
    }

    /** /proc/self/cgroup as controller list (v1) or "" (v2) to path. */
    private static Map<String, String> ownCgroups() throws IOException {
        var own = new java.util.HashMap<String, String>();
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3) own.put(parts[1], parts[2]);
        }
        return own;
    }

    /** Creates one sandbox's cgroups with its limits; the sandbox's first process joins them by pid. */
    Group create(long memoryBytes, int pids, double cpus) throws IOException {
        String name = UUID.randomUUID().toString();
        var dirs = new ArrayList<Path>();
        try {
            if (version == Version.V1) {
                Path memory = mkdir(parents.get("memory").resolve(name), dirs);
                write(memory.resolve("memory.limit_in_bytes"), String.valueOf(memoryBytes));
                // absent without swap accounting; with it, swap may not stretch the limit
                Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
                if (Files.exists(memsw)) write(memsw, String.valueOf(memoryBytes));
                Path pidsDir = mkdir(parents.get("pids").resolve(name), dirs);
                write(pidsDir.resolve("pids.max"), String.valueOf(pids));
                Path cpu = mkdir(parents.get("cpu").resolve(name), dirs);
                write(cpu.resolve("cpu.cfs_period_us"), "100000");
                write(cpu.resolve("cpu.cfs_quota_us"), String.valueOf(Math.round(cpus * 100_000)));
            } else {
                Path dir = mkdir(parents.get("unified").resolve(name), dirs);
                write(dir.resolve("memory.max"), String.valueOf(memoryBytes));
                Path swap = dir.resolve("memory.swap.max");
                if (Files.exists(swap)) write(swap, "0");
                write(dir.resolve("pids.max"), String.valueOf(pids));
                write(dir.resolve("cpu.max"), Math.round(cpus * 100_000) + " 100000");
            }
        } catch (IOException | RuntimeException e) {
            new Group(version, dirs).remove();
            throw e;
        }
        return new Group(version, List.copyOf(dirs));
    }

    private static Path mkdir(Path dir, List<Path> made) throws IOException {
        Files.createDirectory(dir);
        made.add(dir);
        return dir;
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardCharsets.US_ASCII);
    }

    /** Removes the runtime's own group once its sandboxes are gone. */
    void close() {
        for (Path dir : parents.values()) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // a sandbox still ending: the group stays, empty, until the next executor start on this cgroup
            }
        }
    }

    /** One sandbox's cgroups (one directory per v1 controller, or one v2 directory). */
    record Group(Version version, List<Path> dirs) {
        /** The cgroup.procs files the sandbox's first process writes its pid to. */
        List<Path> procsFiles() {
            return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
        }

        /** The memory limit killed a process in it. */
        boolean outOfMemory() {
            Path file = version == Version.V1
                    ? memoryDir().resolve("memory.oom_control")
                    : memoryDir().resolve("memory.events");
            return CgroupCounters.read(file, "oom_kill") > 0;
        }

        /** A fork in it failed on the pids limit. */
        boolean hitProcessLimit() {
            Path dir = version == Version.V1 ? dirs.get(1) : dirs.getFirst();
            return CgroupCounters.read(dir.resolve("pids.events"), "max") > 0;
        }

        /** How many processes (not threads) it holds. */
        int processCount() {
            try (var lines = Files.lines(dirs.getFirst().resolve("cgroup.procs"))) {
                return (int) lines.count();
            } catch (IOException | java.io.UncheckedIOException e) {
                return 0;
            }
        }

        /** Kills every process in it (v2: at once with cgroup.kill where the kernel has it). */
        void killAll() {
            if (version == Version.V2) {
                Path kill = dirs.getFirst().resolve("cgroup.kill");
                if (Files.exists(kill)) {
                    try {
                        write(kill, "1");
                        return;
                    } catch (IOException e) {
                        // fall through to one signal per process
                    }
                }
            }
            for (int round = 0; round < 3; round++) {
                try (var lines = Files.lines(dirs.getFirst().resolve("cgroup.procs"))) {
                    lines.map(String::trim)
                            .filter(s -> !s.isEmpty())
                            .map(Long::parseLong)
                            .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                } catch (IOException | RuntimeException e) {
                    return;
                }
            }
        }

        /** Removes its directories; a directory still holding a process stays (retried by the next call). */
        boolean remove() {
            boolean all = true;
            for (Path dir : dirs.reversed()) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    all = false;
                }
            }
            return all;
        }

        private Path memoryDir() {
            return dirs.getFirst();
        }
    }
}

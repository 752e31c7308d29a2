import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the check for processes a call left behind costs on a live sandbox, both ways (issue 24): walking the harness's
 * threads' {@code children} files in /proc (one read per thread) against one read of the container's {@code
 * cgroup.procs}. Each runs on a virtual thread, as the executor's calls do. Started by run.sh.
 */
public class LeftoverCheck {
    static boolean childrenInProc(long pid) throws Exception {
        try (var list = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (var task : list.toList()) {
                if (!Files.readString(task.resolve("children")).isBlank()) return true;
            }
            return false;
        }
    }

    static boolean othersInCgroup(Path procs, long pid) throws Exception {
        String self = Long.toString(pid);
        for (String line : Files.readString(procs, StandardCharsets.US_ASCII).split("\n")) {
            if (!line.isBlank() && !line.strip().equals(self)) return true;
        }
        return false;
    }

    public static void main(String[] args) throws Exception {
        long pid = Long.parseLong(args[0]);
        Path procs = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        Thread.ofVirtual().start(() -> {
            try {
                for (int round = 1; round <= 3; round++) {
                    long t0 = System.nanoTime();
                    boolean found = false;
                    for (int i = 0; i < n; i++) found |= childrenInProc(pid);
                    long t1 = System.nanoTime();
                    for (int i = 0; i < n; i++) found |= othersInCgroup(procs, pid);
                    long t2 = System.nanoTime();
                    System.out.printf(
                            "round %d: /proc children walk %.1f µs, cgroup.procs %.1f µs a check (n=%d; found %s)%n",
                            round, (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n, n, found);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).join();
    }
}

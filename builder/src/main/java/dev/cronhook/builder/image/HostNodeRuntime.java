package dev.cronhook.builder.image;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The base layer made from this host's Node.js: the {@code node} binary, the shared libraries {@code ldd} lists
 * (at the paths it prints), the dynamic loader, and an /etc/passwd naming the non-root user. Worked out once per
 * process; the layer's files are never rewritten, so jib's layer cache tars it only once.
 */
public final class HostNodeRuntime {
    static final Instant FIXED_TIME = Instant.ofEpochSecond(1);
    private static final Pattern ARROW = Pattern.compile("^\\s*\\S+\\s+=>\\s+(/\\S+)\\s+\\(0x[0-9a-f]+\\)\\s*$");
    private static final Pattern DIRECT = Pattern.compile("^\\s*(/\\S+)\\s+\\(0x[0-9a-f]+\\)\\s*$");
    private static final String LOADER = "/lib64/ld-linux-x86-64.so.2";
    private static final String PASSWD =
            "root:x:0:0:root:/root:/sbin/nologin\n" + "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
    private static final String GROUP = "root:x:0:\nnonroot:x:65532:\n";

    private final Path node;
    private final ContentAddressedFiles files;
    private volatile FileEntriesLayer layer;

    /** {@code node} is the binary to ship (its real path is read; it is placed where the path says). */
    public HostNodeRuntime(Path node, ContentAddressedFiles files) {
        this.node = node;
        this.files = files;
    }

    /** Finds {@code node} on the PATH of this process. */
    public static Path nodeOnPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "node");
            if (Files.isExecutable(candidate)) return candidate.toAbsolutePath();
        }
        throw new IllegalStateException("no node binary on the PATH; set cronhook.builder.node-binary");
    }

    /** Where node sits in the image. */
    public String nodePathInImage() {
        return node.toString();
    }

    public FileEntriesLayer layer() throws IOException, InterruptedException {
        var l = layer;
        if (l == null) {
            synchronized (this) {
                if (layer == null) layer = buildLayer();
                l = layer;
            }
        }
        return l;
    }

    private FileEntriesLayer buildLayer() throws IOException, InterruptedException {
        var entries = new LinkedHashMap<String, Path>();
        entries.put(node.toString(), node.toRealPath());
        for (var lib : sharedLibraries().entrySet()) entries.putIfAbsent(lib.getKey(), lib.getValue());
        if (Files.exists(Path.of(LOADER)))
            entries.putIfAbsent(LOADER, Path.of(LOADER).toRealPath());
        var builder = FileEntriesLayer.builder().setName("node-runtime");
        var executable = FilePermissions.fromOctalString("755");
        for (var e : entries.entrySet()) {
            builder.addEntry(e.getValue(), AbsoluteUnixPath.get(e.getKey()), executable, FIXED_TIME);
        }
        var readable = FilePermissions.fromOctalString("644");
        builder.addEntry(
                files.store(PASSWD.getBytes(StandardCharsets.UTF_8), "-passwd"),
                AbsoluteUnixPath.get("/etc/passwd"),
                readable,
                FIXED_TIME);
        builder.addEntry(
                files.store(GROUP.getBytes(StandardCharsets.UTF_8), "-group"),
                AbsoluteUnixPath.get("/etc/group"),
                readable,
                FIXED_TIME);
        return builder.build();
    }

    /** Runs {@code ldd node}: path in the image to the real file on this host. */
    private Map<String, Path> sharedLibraries() throws IOException, InterruptedException {
        var process = new ProcessBuilder("ldd", node.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("ldd " + node + " failed: " + out.strip());
        }
        var libs = new LinkedHashMap<String, Path>();
        for (String path : librariesIn(out)) libs.put(path, Path.of(path).toRealPath());
        return libs;
    }

    /** The absolute paths in ldd's output, in its order (linux-vdso and "not found" lines have none). */
    static List<String> librariesIn(String lddOutput) {
        var paths = new ArrayList<String>();
        for (String line : lddOutput.split("\n")) {
            var arrow = ARROW.matcher(line);
            var direct = DIRECT.matcher(line);
            if (arrow.matches()) paths.add(arrow.group(1));
            else if (direct.matches()) paths.add(direct.group(1));
        }
        return paths;
    }
}

package dev.cronhook.builder.image;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import dev.cronhook.core.harness.LanguageRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The base layer of a {@link LanguageRuntime} made from this host's installation: the interpreter binary, the
 * directories its {@link LanguageRuntime#libraryProbe() probe} names (Python's standard library), the shared
 * libraries {@code ldd} lists for the binary and for every shared object in those directories (at the paths it
 * prints), the dynamic loader, and an /etc/passwd naming the non-root user. Worked out once per process; the layer's
 * files are never rewritten, so jib's layer cache tars it only once.
 */
public final class HostRuntime {
    static final Instant FIXED_TIME = Instant.ofEpochSecond(1);
    private static final Pattern ARROW = Pattern.compile("^\\s*\\S+\\s+=>\\s+(/\\S+)\\s+\\(0x[0-9a-f]+\\)\\s*$");
    private static final Pattern DIRECT = Pattern.compile("^\\s*(/\\S+)\\s+\\(0x[0-9a-f]+\\)\\s*$");
    private static final String LOADER = "/lib64/ld-linux-x86-64.so.2";
    private static final String PASSWD =
            "root:x:0:0:root:/root:/sbin/nologin\n" + "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
    private static final String GROUP = "root:x:0:\nnonroot:x:65532:\n";
    private static final FilePermissions EXECUTABLE = FilePermissions.fromOctalString("755");
    private static final FilePermissions READABLE = FilePermissions.fromOctalString("644");

    private final LanguageRuntime runtime;
    private final Path interpreter;
    private final ContentAddressedFiles files;
    private volatile FileEntriesLayer layer;

    /** {@code interpreter} is the binary to ship (its real file is read; it is placed where the path says). */
    public HostRuntime(LanguageRuntime runtime, Path interpreter, ContentAddressedFiles files) {
        this.runtime = runtime;
        this.interpreter = interpreter;
        this.files = files;
    }

    /** Node.js from {@code node} (null: the one on the PATH). */
    public HostRuntime(Path node, ContentAddressedFiles files) {
        this(LanguageRuntime.NODE, node == null ? interpreterOnPath(LanguageRuntime.NODE) : node, files);
    }

    /**
     * Finds the runtime's interpreter on the PATH of this process: the first executable of that name that is a binary
     * (a version manager's shell-script shim, such as pyenv's, is skipped: it would not run in an image).
     */
    public static Path interpreterOnPath(LanguageRuntime runtime) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, runtime.interpreter());
            if (Files.isExecutable(candidate) && isElf(candidate)) return candidate.toAbsolutePath();
        }
        for (String dir : List.of("/usr/local/bin", "/usr/bin", "/bin")) {
            Path candidate = Path.of(dir, runtime.interpreter());
            if (Files.isExecutable(candidate) && isElf(candidate)) return candidate;
        }
        throw new IllegalStateException("no " + runtime.interpreter() + " binary on the PATH; set cronhook.builder."
                + runtime.language() + "-binary");
    }

    private static boolean isElf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(4), new byte[] {0x7f, 'E', 'L', 'F'});
        } catch (IOException e) {
            return false;
        }
    }

    public LanguageRuntime runtime() {
        return runtime;
    }

    /** Where the interpreter sits in the image. */
    public String interpreterPathInImage() {
        return interpreter.toString();
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
        var executables = new LinkedHashMap<String, Path>();
        executables.put(interpreter.toString(), interpreter.toRealPath());
        var trees = probe();
        var sharedObjects = new ArrayList<Path>();
        sharedObjects.add(interpreter);
        var treeFiles = new TreeMap<String, Path>();
        for (Path tree : trees) {
            if (Files.isRegularFile(tree)) {
                treeFiles.put(tree.toString(), tree.toRealPath());
                continue;
            }
            try (Stream<Path> walk = Files.walk(tree)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    String name = file.getFileName().toString();
                    // compiled caches of another interpreter version and the test suite are dead weight
                    if (file.toString().contains("/test/") || file.toString().contains("/tests/")) continue;
                    treeFiles.put(file.toString(), file.toRealPath());
                    if (name.endsWith(".so") || name.contains(".so.")) sharedObjects.add(file);
                }
            }
        }
        for (Path object : sharedObjects) {
            for (var lib : sharedLibraries(object).entrySet()) executables.putIfAbsent(lib.getKey(), lib.getValue());
        }
        if (Files.exists(Path.of(LOADER)))
            executables.putIfAbsent(LOADER, Path.of(LOADER).toRealPath());
        var builder = FileEntriesLayer.builder().setName(runtime.language() + "-runtime");
        for (var e : executables.entrySet()) {
            builder.addEntry(e.getValue(), AbsoluteUnixPath.get(e.getKey()), EXECUTABLE, FIXED_TIME);
        }
        for (var e : treeFiles.entrySet()) {
            if (executables.containsKey(e.getKey())) continue;
            var mode = Files.isExecutable(e.getValue()) ? EXECUTABLE : READABLE;
            // the library's own times: compiled caches (Python's __pycache__) are valid only beside their sources'
            var time = Files.getLastModifiedTime(e.getValue()).toInstant();
            builder.addEntry(e.getValue(), AbsoluteUnixPath.get(e.getKey()), mode, time);
        }
        builder.addEntry(
                files.store(PASSWD.getBytes(StandardCharsets.UTF_8), "-passwd"),
                AbsoluteUnixPath.get("/etc/passwd"),
                READABLE,
                FIXED_TIME);
        builder.addEntry(
                files.store(GROUP.getBytes(StandardCharsets.UTF_8), "-group"),
                AbsoluteUnixPath.get("/etc/group"),
                READABLE,
                FIXED_TIME);
        return builder.build();
    }

    /** The directories the runtime's probe prints, run with the interpreter; none when it has no probe. */
    private List<Path> probe() throws IOException, InterruptedException {
        if (runtime.libraryProbe().isEmpty()) return List.of();
        var command = new ArrayList<String>();
        command.add(interpreter.toString());
        command.addAll(runtime.libraryProbe());
        String out = run(command);
        return out.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .map(Path::of)
                .filter(p -> Files.isDirectory(p) || Files.isRegularFile(p))
                .distinct()
                .toList();
    }

    /** Runs {@code ldd}: path in the image to the real file on this host. */
    private static Map<String, Path> sharedLibraries(Path object) throws IOException, InterruptedException {
        var libs = new LinkedHashMap<String, Path>();
        String out;
        try {
            out = run(List.of("ldd", object.toString()));
        } catch (IOException e) {
            // "not a dynamic executable" (a static binary or a data file named like a library) links nothing
            if (e.getMessage().contains("not a dynamic executable")) return libs;
            throw e;
        }
        for (String path : librariesIn(out)) libs.put(path, Path.of(path).toRealPath());
        return libs;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
        return out;
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

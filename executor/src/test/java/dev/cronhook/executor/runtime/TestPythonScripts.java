package dev.cronhook.executor.runtime;

import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.harness.LanguageRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The Python test script (scenarios.py) as a Docker image laid out like the builder's Python images: this host's
 * python3 with its standard library and the libraries they link, harness.py and script.py in /app, the runtime's
 * environment and the harness protocol label. Imported with {@code docker import} once per content.
 */
public final class TestPythonScripts {
    public static final String PYTHON = "/usr/bin/python3";

    private TestPythonScripts() {}

    public static byte[] scenarios() {
        try (InputStream in = TestPythonScripts.class.getResourceAsStream("scenarios.py")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static synchronized String image() {
        var runtime = LanguageRuntime.PYTHON;
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update(runtime.harnessSource());
            digest.update(scenarios());
            digest.update(
                    new java.util.TreeMap<>(runtime.environment()).toString().getBytes(StandardCharsets.UTF_8));
            digest.update(Files.readAllBytes(Path.of(PYTHON).toRealPath()), 0, 4096);
            String tag = "cronhook-test/python-scenarios:"
                    + HexFormat.of().formatHex(digest.digest()).substring(0, 16);
            if (run("docker", "image", "inspect", tag) == 0) return tag;
            Path root = Files.createTempDirectory("cronhook-python-rootfs");
            Path app = Files.createDirectories(root.resolve("app"));
            Files.write(app.resolve(runtime.harnessFile()), runtime.harnessSource());
            Files.write(app.resolve(runtime.scriptFile()), scenarios());
            Files.createDirectories(root.resolve("tmp"));
            String python = Path.of(PYTHON).toRealPath().toString();
            var stdlib = probe(python, runtime.libraryProbe());
            // the interpreter, its standard library, and every library ldd finds for it and its extension modules
            String script = "set -e; root='" + root + "'; files=$(mktemp);"
                    + " { echo " + python + "; for d in " + String.join(" ", stdlib)
                    + "; do find \"$d\" -name '*.so'; done; }"
                    + " | while read f; do ldd \"$f\" 2>/dev/null | grep -o '/[^ ]*' || true; done | sort -u > $files;"
                    + " echo /lib64/ld-linux-x86-64.so.2 >> $files;"
                    + " while read f; do [ -e \"$f\" ] && mkdir -p \"$root$(dirname $f)\" && cp -L \"$f\" \"$root$f\"; done < $files;"
                    + " mkdir -p \"$root/usr/bin\"; cp -L " + python + " \"$root/usr/bin/python3\";"
                    + " for d in " + String.join(" ", stdlib)
                    + "; do mkdir -p \"$root$(dirname $d)\"; if [ -f \"$d\" ]; then cp -L \"$d\" \"$root$d\";"
                    + " else mkdir -p \"$root$d\"; cp -a \"$d/.\" \"$root$d/\"; fi; done;"
                    + " chmod -R a+rX \"$root\"; rm -f $files;"
                    + " tar -C \"$root\" -c . | docker import"
                    + " --change 'ENTRYPOINT [\"/usr/bin/python3\",\"/app/" + runtime.harnessFile() + "\"]'"
                    + " --change 'WORKDIR /app' --change 'USER 65532'"
                    + runtime.environment().entrySet().stream()
                            .map(e -> " --change 'ENV " + e.getKey() + "=" + e.getValue() + "'")
                            .collect(Collectors.joining())
                    + " --change 'LABEL " + Harness.PROTOCOL_LABEL + "=" + Harness.PROTOCOL + "'"
                    + " - " + tag;
            var build = new ProcessBuilder("bash", "-c", script).inheritIO().start();
            if (!build.waitFor(5, TimeUnit.MINUTES) || build.exitValue() != 0) {
                throw new IllegalStateException("docker import of the Python image failed");
            }
            run("rm", "-rf", root.toString());
            return tag;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the Python test image", e);
        }
    }

    private static List<String> probe(String python, List<String> args) throws IOException, InterruptedException {
        var command = new ArrayList<String>();
        command.add(python);
        command.addAll(args);
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException("probe failed: " + out);
        return out.lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .distinct()
                .toList();
    }

    private static int run(String... command) throws IOException, InterruptedException {
        var p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor();
    }
}

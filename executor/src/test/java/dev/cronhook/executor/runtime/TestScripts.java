package dev.cronhook.executor.runtime;

import dev.cronhook.core.harness.Harness;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The test script (scenarios.mjs) as a bundle for the process runtime and as Docker images made from the host's
 * node binary and the libraries it links (imported with {@code docker import}, no registry needed): one labelled
 * like the builder's images (its harness can speak on a socket) and one without the label, like images built
 * before the label existed.
 */
public final class TestScripts {
    public static final String NODE = "/usr/bin/node";

    private TestScripts() {}

    public static byte[] scenarios() {
        try (InputStream in = TestScripts.class.getResourceAsStream("scenarios.mjs")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes harness.mjs, script.mjs and package.json into {@code dir}; returns {@code bundle:<dir>}. */
    public static String bundle(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(Harness.FILE_NAME), Harness.source());
            Files.write(dir.resolve(Harness.SCRIPT_FILE_NAME), scenarios());
            Files.writeString(dir.resolve("package.json"), "{\"type\":\"module\"}\n");
            return "bundle:" + dir.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scenarios image as the builder makes it: labelled with the harness protocol it speaks. */
    public static String image() {
        return derived(
                unlabelledImage(),
                "protocol" + Harness.PROTOCOL,
                "LABEL " + Harness.PROTOCOL_LABEL + "=" + Harness.PROTOCOL);
    }

    /** The labelled image with another entrypoint: a harness that neither connects to its socket nor exits. */
    public static String imageWhoseHarnessNeverConnects() {
        return derived(image(), "silent", "ENTRYPOINT [\"node\",\"-e\",\"setInterval(() => {}, 1000)\"]");
    }

    /** The labelled image with another entrypoint: a harness that says something and exits before it connects. */
    public static String imageWhoseHarnessExitsAtOnce() {
        return derived(
                image(), "exits", "ENTRYPOINT [\"node\",\"-e\",\"console.error('no harness here'); process.exit(3)\"]");
    }

    /**
     * The labelled image with {@code code} as its script (a script version as the builder makes it), committed once
     * per code.
     */
    public static synchronized String imageWithScript(String code) {
        try {
            String base = image();
            String tag = base + "-code-"
                    + HexFormat.of()
                            .formatHex(
                                    MessageDigest.getInstance("SHA-256").digest(code.getBytes(StandardCharsets.UTF_8)))
                            .substring(0, 16);
            if (run("docker", "image", "inspect", tag) == 0) return tag;
            Path file = Files.createTempFile("cronhook-script", ".mjs");
            Files.writeString(file, code);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            var created = new ProcessBuilder("docker", "create", base).start();
            String container = new String(created.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (created.waitFor() != 0) throw new IllegalStateException("docker create " + base + " failed");
            try {
                if (run("docker", "cp", file.toString(), container + ":/app/" + Harness.SCRIPT_FILE_NAME) != 0
                        || run("docker", "commit", container, tag) != 0) {
                    throw new IllegalStateException("could not make " + tag);
                }
            } finally {
                run("docker", "rm", "-f", container);
                Files.deleteIfExists(file);
            }
            return tag;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code base} with one Dockerfile-like change, committed once as {@code <base>-<suffix>}. */
    private static synchronized String derived(String base, String suffix, String change) {
        try {
            String tag = base + "-" + suffix;
            if (run("docker", "image", "inspect", tag) == 0) return tag;
            var created = new ProcessBuilder("docker", "create", base).start();
            String container = new String(created.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (created.waitFor() != 0) throw new IllegalStateException("docker create " + base + " failed");
            try {
                if (run("docker", "commit", "--change", change, container, tag) != 0) {
                    throw new IllegalStateException("docker commit of " + tag + " failed");
                }
            } finally {
                run("docker", "rm", "-f", container);
            }
            return tag;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The scenarios image without the harness protocol label, as images built before it existed: the executor speaks
     * to it on stdio. Imported once per content (tagged by a hash of the harness and the script).
     */
    public static synchronized String unlabelledImage() {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update(Harness.source());
            digest.update(scenarios());
            digest.update("entrypoint-workdir-user".getBytes(StandardCharsets.UTF_8));
            digest.update(Files.readAllBytes(Path.of(NODE)), 0, 4096);
            String tag = "cronhook-test/scenarios:"
                    + HexFormat.of().formatHex(digest.digest()).substring(0, 16);
            if (run("docker", "image", "inspect", tag) == 0) return tag;
            Path root = Files.createTempDirectory("cronhook-rootfs");
            Path app = root.resolve("app");
            bundle(app);
            for (Path file : nodeFiles()) {
                Path target = root.resolve(file.toString().substring(1));
                Files.createDirectories(target.getParent());
                Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Files.createDirectories(root.resolve("tmp"));
            var tar = new ProcessBuilder(
                            "bash",
                            "-c",
                            "tar -C '" + root + "' -c . | docker import"
                                    + " --change 'ENTRYPOINT [\"node\",\"/app/harness.mjs\"]'"
                                    + " --change 'WORKDIR /app' --change 'USER 65532' - " + tag)
                    .inheritIO()
                    .start();
            if (!tar.waitFor(5, TimeUnit.MINUTES) || tar.exitValue() != 0) {
                throw new IllegalStateException("docker import failed");
            }
            run("rm", "-rf", root.toString());
            return tag;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the test image", e);
        }
    }

    /** The node binary, the libraries it links and the dynamic loader: a runtime layer's files. */
    public static List<Path> nodeFiles() throws IOException, InterruptedException {
        var ldd = new ProcessBuilder("ldd", NODE).redirectErrorStream(true).start();
        String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ldd.waitFor();
        Set<Path> files = new LinkedHashSet<>();
        files.add(Path.of(NODE).toRealPath());
        var absolute = Pattern.compile("(/\\S+)");
        for (String line : out.split("\n")) {
            var m = absolute.matcher(line);
            String last = null;
            while (m.find()) last = m.group(1);
            if (last != null) files.add(Path.of(last));
        }
        files.add(Path.of("/lib64/ld-linux-x86-64.so.2"));
        return new ArrayList<>(files);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        var p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor();
    }
}

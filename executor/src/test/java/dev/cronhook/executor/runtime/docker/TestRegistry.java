package dev.cronhook.executor.runtime.docker;

import dev.cronhook.core.harness.Harness;
import dev.cronhook.executor.runtime.TestScripts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Script images laid out as the builder's jib makes them (a runtime layer from this host's node, then {@code
 * node_modules}, {@code harness} and {@code script} layers, each named in the configuration's history, fixed times so
 * the same files give the same digest), pushed to a real registry over its HTTP API. The executor may not depend on
 * the builder, so this mirrors {@code JibImageBuilder}'s layout; {@code bench/} pushes with the builder itself.
 */
final class TestRegistry {
    static final String HOST = System.getenv().getOrDefault("CRONHOOK_TEST_REGISTRY", "127.0.0.1:5000");
    static final String GZIP_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static Layer runtime;

    private TestRegistry() {}

    /** A layer: its gzipped blob and digest, the digest of the tar inside ({@code diff_id}), its history name. */
    record Layer(String name, byte[] blob, String digest, String diffId) {}

    /** An image's manifest and configuration, and the layers they name. */
    record Image(byte[] manifest, String digest, byte[] config, String configDigest, List<Layer> layers) {
        Layer layer(String name) {
            return layers.stream()
                    .filter(l -> l.name().equals(name))
                    .findFirst()
                    .orElseThrow();
        }
    }

    /** The node runtime layer (made once per JVM; ~40 MB gzipped). */
    static synchronized Layer runtime() {
        if (runtime == null) {
            runtime = layer("node-runtime", tar -> {
                try {
                    var dirs = new TreeSet<String>();
                    dirs.add("tmp/");
                    for (Path file : TestScripts.nodeFiles()) {
                        for (Path p = Path.of(file.toString().substring(1)).getParent(); p != null; p = p.getParent()) {
                            dirs.add(p + "/");
                        }
                    }
                    for (String dir : dirs) directory(tar, dir);
                    for (Path file : TestScripts.nodeFiles()) {
                        file(tar, file.toString().substring(1), Files.readAllBytes(file), 0755);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
        }
        return runtime;
    }

    /** The harness layer, as every image of this harness has it. */
    static Layer harness() {
        return files("harness", Map.of(Harness.FILE_NAME, Harness.source()));
    }

    /** A script layer: {@code script.mjs} and a package.json of an ES module. */
    static Layer script(String code) {
        return files(
                "script",
                Map.of(
                        Harness.SCRIPT_FILE_NAME,
                        code.getBytes(StandardCharsets.UTF_8),
                        "package.json",
                        "{\"type\":\"module\"}\n".getBytes(StandardCharsets.UTF_8)));
    }

    /** A node_modules layer with one package, {@code greeting}, whose default export greets a name. */
    static Layer nodeModules(String greeting) {
        return files(
                "node_modules",
                Map.of(
                        "node_modules/greeting/package.json",
                        "{\"name\":\"greeting\",\"type\":\"module\",\"main\":\"index.js\"}\n"
                                .getBytes(StandardCharsets.UTF_8),
                        "node_modules/greeting/index.js",
                        ("export default (name) => '" + greeting + " ' + name;\n").getBytes(StandardCharsets.UTF_8)));
    }

    /** A layer of files under {@code /app} (paths relative to it), with their directories. */
    static Layer files(String name, Map<String, byte[]> files) {
        return layer(name, tar -> {
            var dirs = new TreeSet<String>();
            dirs.add("app/");
            for (String path : files.keySet()) {
                for (Path p = Path.of("app", path).getParent(); p != null; p = p.getParent()) dirs.add(p + "/");
            }
            for (String dir : dirs) directory(tar, dir);
            for (var file : new java.util.TreeMap<>(files).entrySet()) {
                file(tar, "app/" + file.getKey(), file.getValue(), 0644);
            }
        });
    }

    /** A layer whose tar {@code writer} writes as it likes (entries a builder would never make). */
    static Layer layer(String name, Consumer<TarArchiveOutputStream> writer) {
        try {
            var raw = new ByteArrayOutputStream();
            try (var tar = new TarArchiveOutputStream(raw)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                writer.accept(tar);
            }
            byte[] plain = raw.toByteArray();
            var gz = new ByteArrayOutputStream();
            try (OutputStream out = new GZIPOutputStream(gz, 65536) {
                {
                    def.setLevel(Deflater.BEST_SPEED);
                }
            }) {
                out.write(plain);
            }
            byte[] blob = gz.toByteArray();
            return new Layer(name, blob, sha256(blob), sha256(plain));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void directory(TarArchiveOutputStream tar, String path) {
        try {
            var entry = new TarArchiveEntry(path);
            entry.setMode(0755);
            entry.setModTime(0);
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void file(TarArchiveOutputStream tar, String path, byte[] content, int mode) {
        try {
            var entry = new TarArchiveEntry(path, true);
            entry.setMode(mode);
            entry.setModTime(0);
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image of {@code layers}, labelled like the builder's (with {@code version}, so labels tell images apart). */
    static Image image(int version, Layer... layers) {
        var labels = new LinkedHashMap<String, String>();
        labels.put("dev.cronhook.script", "00000000-0000-0000-0000-00000000abcd");
        labels.put("dev.cronhook.version", Integer.toString(version));
        labels.put("dev.cronhook.language", "node");
        labels.put(Harness.PROTOCOL_LABEL, Integer.toString(Harness.PROTOCOL));
        var history = new ArrayList<String>();
        var diffIds = new ArrayList<String>();
        for (var layer : layers) {
            history.add("{\"created\":\"1970-01-01T00:00:00Z\",\"author\":\"Jib\",\"created_by\":\"cronhook-test\","
                    + "\"comment\":\"" + layer.name() + "\"}");
            diffIds.add("\"" + layer.diffId() + "\"");
        }
        var labelJson = new StringBuilder();
        labels.forEach((k, v) -> labelJson
                .append(labelJson.isEmpty() ? "" : ",")
                .append('"')
                .append(k)
                .append("\":\"")
                .append(v)
                .append('"'));
        String config = "{\"created\":\"1970-01-01T00:00:00Z\",\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
                + "\"NODE_ENV=production\"],\"Entrypoint\":[\"node\",\"/app/harness.mjs\"],\"Cmd\":[],"
                + "\"Labels\":{" + labelJson + "},\"WorkingDir\":\"/app\",\"User\":\"65532:65532\"},"
                + "\"history\":[" + String.join(",", history) + "],"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]}}";
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        var layerJson = new ArrayList<String>();
        for (var layer : layers) {
            layerJson.add("{\"mediaType\":\"" + GZIP_LAYER + "\",\"digest\":\"" + layer.digest() + "\",\"size\":"
                    + layer.blob().length + "}");
        }
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + RegistryImage.DOCKER_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\""
                + sha256(configBytes) + "\",\"size\":" + configBytes.length + "},"
                + "\"layers\":[" + String.join(",", layerJson) + "]}";
        byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
        return new Image(manifestBytes, sha256(manifestBytes), configBytes, sha256(configBytes), List.of(layers));
    }

    /** Pushes {@code image} to the registry at {@link #HOST} as {@code repository}; its reference by digest. */
    static String push(String repository, Image image) {
        try {
            String base = "http://" + HOST + "/v2/" + repository;
            upload(base, image.configDigest(), image.config());
            for (var layer : image.layers()) upload(base, layer.digest(), layer.blob());
            var put = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    base + "/manifests/t" + image.digest().substring(7, 23)))
                            .header("Content-Type", RegistryImage.DOCKER_MANIFEST)
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(image.manifest()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() != 201)
                throw new IllegalStateException("manifest push: " + put.statusCode() + " " + put.body());
            return HOST + "/" + repository + "@" + image.digest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void upload(String base, String digest, byte[] blob) throws IOException, InterruptedException {
        var head = http.send(
                HttpRequest.newBuilder(URI.create(base + "/blobs/" + digest))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        if (head.statusCode() == 200) return;
        var start = http.send(
                HttpRequest.newBuilder(URI.create(base + "/blobs/uploads/"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        if (start.statusCode() != 202) throw new IllegalStateException("blob upload start: " + start.statusCode());
        URI location =
                URI.create(base).resolve(start.headers().firstValue("Location").orElseThrow());
        String separator = location.getRawQuery() == null ? "?" : "&";
        var put = http.send(
                HttpRequest.newBuilder(URI.create(location + separator + "digest=" + digest))
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(blob))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() != 201)
            throw new IllegalStateException("blob upload: " + put.statusCode() + " " + put.body());
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

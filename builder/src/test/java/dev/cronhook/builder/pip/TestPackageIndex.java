package dev.cronhook.builder.pip;

import com.sun.net.httpserver.HttpServer;
import dev.cronhook.core.script.PythonRequirements;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A Python package index (PEP 503's simple API) on 127.0.0.1, serving pure-Python wheels this class writes itself
 * (zip, METADATA, WHEEL, RECORD): the public index is not reachable from the test machines. Every request is kept, so
 * a test can tell whether the index was asked at all.
 */
public final class TestPackageIndex implements AutoCloseable {
    private record Wheel(String project, String version, String fileName, byte[] bytes) {}

    private final HttpServer server;
    private final Map<String, List<Wheel>> projects = new ConcurrentHashMap<>();
    private final Map<String, Wheel> files = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    public TestPackageIndex() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.add(path);
            byte[] body;
            String type;
            int status = 200;
            if (path.startsWith("/files/") && files.containsKey(path.substring("/files/".length()))) {
                body = files.get(path.substring("/files/".length())).bytes();
                type = "application/octet-stream";
            } else if (path.startsWith("/simple/")) {
                String project = PythonRequirements.normalize(
                        path.substring("/simple/".length()).replaceAll("/$", ""));
                var wheels = projects.get(project);
                if (wheels == null) {
                    status = 404;
                    body = "not found".getBytes(StandardCharsets.UTF_8);
                } else {
                    var html = new StringBuilder("<!DOCTYPE html><html><body>\n");
                    for (var w : wheels) {
                        html.append("<a href=\"/files/")
                                .append(w.fileName())
                                .append("#sha256=")
                                .append(sha256(w.bytes()))
                                .append("\">")
                                .append(w.fileName())
                                .append("</a><br>\n");
                    }
                    body = html.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
                }
                type = "text/html";
            } else {
                status = 404;
                body = "not found".getBytes(StandardCharsets.UTF_8);
                type = "text/plain";
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** The index URL to give pip ({@code --index-url}). */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/simple/";
    }

    /** Every path asked for so far. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /**
     * Publishes a pure-Python wheel of {@code project} at {@code version} holding one module (a package named like the
     * project, with underscores) whose {@code __init__.py} is {@code code}, depending on {@code requires}.
     */
    public TestPackageIndex publish(String project, String version, String code, String... requires) {
        return publish(project, version, Map.of("__init__.py", code.getBytes(StandardCharsets.UTF_8)), requires);
    }

    /** Publishes a wheel with these files in its package (name to content). */
    public TestPackageIndex publish(
            String project, String version, Map<String, byte[]> packageFiles, String... requires) {
        String dist = project.replaceAll("[-_.]+", "_");
        String fileName = dist + "-" + version + "-py3-none-any.whl";
        String info = dist + "-" + version + ".dist-info/";
        var entries = new LinkedHashMap<String, byte[]>();
        packageFiles.forEach((name, content) -> entries.put(dist.toLowerCase() + "/" + name, content));
        var metadata = new StringBuilder("Metadata-Version: 2.1\nName: " + project + "\nVersion: " + version + "\n");
        for (String r : requires) metadata.append("Requires-Dist: ").append(r).append('\n');
        entries.put(info + "METADATA", metadata.toString().getBytes(StandardCharsets.UTF_8));
        entries.put(
                info + "WHEEL",
                "Wheel-Version: 1.0\nGenerator: cronhook-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                        .getBytes(StandardCharsets.UTF_8));
        var record = new ArrayList<String>();
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            for (var e : entries.entrySet()) {
                var entry = new ZipEntry(e.getKey());
                entry.setTime(0);
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
                String hash = Base64.getUrlEncoder().withoutPadding().encodeToString(digest(e.getValue()));
                record.add(e.getKey() + ",sha256=" + hash + "," + e.getValue().length);
            }
            record.add(info + "RECORD,,");
            var entry = new ZipEntry(info + "RECORD");
            entry.setTime(0);
            zip.putNextEntry(entry);
            zip.write((String.join("\n", record) + "\n").getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var wheel = new Wheel(project, version, fileName, bytes.toByteArray());
        projects.computeIfAbsent(PythonRequirements.normalize(project), k -> new CopyOnWriteArrayList<>())
                .add(wheel);
        files.put(fileName, wheel);
        return this;
    }

    /** The sha256 (hex) of a published wheel. */
    public String hashOf(String project, String version) {
        return projects.get(PythonRequirements.normalize(project)).stream()
                .filter(w -> w.version().equals(version))
                .map(w -> sha256(w.bytes()))
                .findFirst()
                .orElseThrow();
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest(bytes));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

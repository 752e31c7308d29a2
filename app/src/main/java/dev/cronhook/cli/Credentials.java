package dev.cronhook.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where the CLI finds the platform and its token: {@code CRONHOOK_URL} and {@code CRONHOOK_TOKEN} (CI), else the file
 * {@code login} wrote, {@code $XDG_CONFIG_HOME/cronhook/config.json} or {@code ~/.config/cronhook/config.json} (mode
 * 0600 in a 0700 directory).
 */
public record Credentials(String url, String token, String tokenId) {
    public static final String DEFAULT_URL = "http://127.0.0.1:8080";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The config file for this environment. */
    public static Path file(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return base.resolve("cronhook").resolve("config.json");
    }

    /** The stored credentials, or none (url and token null) when there is no file. */
    public static Credentials stored(Map<String, String> env) {
        Path file = file(env);
        if (!Files.isRegularFile(file)) return new Credentials(null, null, null);
        try {
            var node = JSON.readTree(Files.readString(file));
            return new Credentials(text(node.get("url")), text(node.get("token")), text(node.get("tokenId")));
        } catch (IOException | JacksonException e) {
            throw new CliException(ExitCode.AUTH, "cannot read " + file + ": " + e.getMessage() + " (log in again)");
        }
    }

    private static String text(tools.jackson.databind.JsonNode n) {
        return n == null || n.isNull() ? null : n.asString();
    }

    /** The URL and token to use: the environment's over the stored ones. The token may be null. */
    public static Credentials effective(Map<String, String> env) {
        var stored = stored(env);
        String url = nonBlank(env.get("CRONHOOK_URL"));
        String token = nonBlank(env.get("CRONHOOK_TOKEN"));
        return new Credentials(
                url != null ? url : stored.url() != null ? stored.url() : DEFAULT_URL,
                token != null ? token : stored.token(),
                token != null ? null : stored.tokenId());
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Writes these credentials for this user only. */
    public void store(Map<String, String> env) {
        Path file = file(env);
        try {
            Path dir = file.getParent();
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            var node = JSON.createObjectNode().put("url", url).put("token", token);
            if (tokenId != null) node.put("tokenId", tokenId);
            Path tmp = dir.resolve("config.json.tmp");
            Files.deleteIfExists(tmp);
            // created 0600 before the token is written into it
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(
                    tmp,
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n",
                    StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(
                    tmp,
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Removes the stored credentials; whether there were any. */
    public static boolean forget(Map<String, String> env) {
        try {
            return Files.deleteIfExists(file(env));
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot remove " + file(env) + ": " + e.getMessage());
        }
    }
}

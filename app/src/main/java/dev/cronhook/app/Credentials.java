package dev.cronhook.app;

import dev.cronhook.app.embedded.SecretFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.logging.Log;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The platform's own credentials, kept out of the process environment (which every process this one starts
 * inherits, and which {@code /proc/<pid>/environ} shows): read from {@code CRONHOOK_CREDENTIALS_FILE}, a file of
 * {@code NAME=value} lines or a directory of files named for the variable each holds (a mounted Kubernetes
 * Secret), standing for the environment variables of those names; and the worker credential {@code
 * CRONHOOK_INTERNAL_TOKEN}, made under {@code CRONHOOK_HOME} when none is given.
 */
final class Credentials {
    /** The environment variables that hold a credential of the platform (the ./cronhook launcher's list too). */
    static final List<String> NAMES = List.of(
            "CRONHOOK_ADMIN_PASSWORD",
            "CRONHOOK_DB_PASSWORD",
            "CRONHOOK_DB_URL",
            "CRONHOOK_SECRET_KEY",
            "CRONHOOK_INTERNAL_TOKEN",
            "CRONHOOK_REDIS_URL",
            "CRONHOOK_BUILDER_REGISTRY_PASSWORD");

    private static final String SOURCE_NAME =
            "cronhook-credentials-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;

    private Credentials() {}

    /**
     * Adds the variables of {@code CRONHOOK_CREDENTIALS_FILE} to the environment, as the process environment's are
     * (same names, same relaxed binding), ahead of it; deletes the file afterwards when {@code
     * CRONHOOK_CREDENTIALS_FILE_DELETE=true} (the {@code ./cronhook} launcher's file of one start).
     */
    static void load(ConfigurableEnvironment env, Log log) {
        String file = env.getProperty("CRONHOOK_CREDENTIALS_FILE", "");
        if (file.isBlank()) return;
        Path path = Path.of(file);
        Map<String, Object> values = new LinkedHashMap<>();
        try {
            if (Files.isDirectory(path)) {
                // a Secret's volume: one file per key, beside hidden bookkeeping entries (..data)
                try (var files = Files.list(path)) {
                    for (Path f : files.sorted().toList()) {
                        String name = f.getFileName().toString();
                        if (name.startsWith(".") || !Files.isRegularFile(f)) continue;
                        values.put(name, Files.readString(f).strip());
                    }
                }
            } else {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
                if (mode.stream()
                        .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                    log.warn(path + " can be read by other users than this one: make it mode 0600");
                }
                for (String line : Files.readAllLines(path)) {
                    if (line.isBlank() || line.startsWith("#")) continue;
                    int eq = line.indexOf('=');
                    if (eq <= 0) continue;
                    values.put(line.substring(0, eq).trim(), line.substring(eq + 1));
                }
            }
            if (!Files.isDirectory(path)
                    && "true".equalsIgnoreCase(env.getProperty("CRONHOOK_CREDENTIALS_FILE_DELETE", ""))) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CRONHOOK_CREDENTIALS_FILE " + path + ": " + e, e);
        }
        env.getPropertySources().addFirst(new SystemEnvironmentPropertySource(SOURCE_NAME, values));
        log.info("Read " + values.size() + " setting(s) from " + path);
    }

    /** Warns when a credential is in the environment of a process that starts user code. */
    static void warnIfInEnvironment(Roles roles, Log log) {
        if (!roles.has(Roles.Role.EXECUTOR) && !roles.has(Roles.Role.TRY_OUT)) return;
        var present = NAMES.stream()
                .filter(n -> System.getenv(n) != null && !System.getenv(n).isEmpty())
                .toList();
        if (present.isEmpty()) return;
        log.warn(present + " are in this process's environment, which every process it starts inherits; give them"
                + " in CRONHOOK_CREDENTIALS_FILE instead (the ./cronhook launcher does)");
    }

    /** The worker credential kept in {@code <home>/internal-token}, made on the first start. */
    static String internalToken(Path home) {
        try {
            return SecretFile.readOrCreate(home.resolve("internal-token"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make " + home.resolve("internal-token"), e);
        }
    }
}

package dev.cronhook.builder.npm;

import static dev.cronhook.builder.DependencyTrees.await;
import static dev.cronhook.builder.DependencyTrees.kill;
import static dev.cronhook.builder.DependencyTrees.megabytes;
import static dev.cronhook.builder.DependencyTrees.sha256;
import static dev.cronhook.builder.DependencyTrees.sizeOf;
import static dev.cronhook.core.io.FileTrees.deleteQuietly;

import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.TransientFailureException;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.core.script.NpmPackageName;
import dev.cronhook.core.script.NpmVersionRange;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@link DependencyInstaller} that runs npm: {@code npm install --package-lock-only} to resolve a lockfile (unless
 * one is given), then {@code npm ci} into a staging directory that is renamed atomically to
 * {@code <cache>/modules/<sha256 of the lockfile>}. Install scripts never run ({@code --ignore-scripts}); the npm
 * cache ({@code <cache>/npm}) is shared by every run. Within this process one install per lockfile is in flight
 * at a time; across processes the atomic rename picks one winner and the others' trees are thrown away.
 */
public final class NpmDependencyInstaller implements DependencyInstaller {
    private static final Pattern ERROR_CODE = Pattern.compile("^npm (?:error|ERR!) code (\\S+)");
    private static final Pattern ERROR_LINE = Pattern.compile("^npm (?:error|ERR!) (.*)$");

    /** npm error codes that mean the registry (or the way to it) failed, not the input. */
    private static final Set<String> TRANSIENT_CODES = Set.of(
            "ECONNREFUSED",
            "ECONNRESET",
            "ENOTFOUND",
            "EAI_AGAIN",
            "ETIMEDOUT",
            "ESOCKETTIMEDOUT",
            "EHOSTUNREACH",
            "ENETUNREACH",
            "EPIPE",
            "E408",
            "E429",
            "E500",
            "E502",
            "E503",
            "E504",
            "ERR_SOCKET_TIMEOUT",
            "EINTEGRITY");

    private final Path modulesDir;
    private final Path stagingDir;
    private final Path npmCache;
    private final Path resolvedDir;
    private final NpmSettings settings;
    private final ConcurrentHashMap<String, CompletableFuture<Path>> inFlight = new ConcurrentHashMap<>();

    public NpmDependencyInstaller(Path cacheDir, NpmSettings settings) {
        this.modulesDir = cacheDir.resolve("modules");
        this.stagingDir = cacheDir.resolve("staging");
        this.npmCache = cacheDir.resolve("npm");
        this.resolvedDir = cacheDir.resolve("resolved");
        this.settings = settings;
        try {
            Files.createDirectories(modulesDir);
            Files.createDirectories(stagingDir);
            Files.createDirectories(npmCache);
            Files.createDirectories(resolvedDir);
            removeAbandonedStaging();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the npm cache under " + cacheDir, e);
        }
    }

    /** Staging directories of a process that died mid-install are left behind; an hour later they go. */
    private void removeAbandonedStaging() throws IOException {
        long cutoff = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
        try (var entries = Files.list(stagingDir)) {
            for (var dir : entries.toList()) {
                if (Files.getLastModifiedTime(dir).toMillis() < cutoff) deleteQuietly(dir);
            }
        }
    }

    /** Where the tree of a lockfile with this hash lives once installed. */
    public Path treeOf(String lockfileHash) {
        return modulesDir.resolve(lockfileHash);
    }

    @Override
    public InstalledDependencies install(Map<String, String> dependencies, String lockfile, BuildLog log)
            throws BuildFailedException, InterruptedException {
        validate(dependencies);
        if (dependencies.isEmpty() && lockfile == null) {
            log.system("no dependencies: npm skipped");
            return InstalledDependencies.none();
        }
        Path work = stagingDir.resolve(UUID.randomUUID().toString());
        try {
            Files.createDirectories(work);
            Files.writeString(work.resolve("package.json"), PackageJson.render(dependencies));
            String lock;
            if (lockfile != null) {
                lock = lockfile;
                Files.writeString(work.resolve("package-lock.json"), lock);
                log.system("installing exactly the given package-lock.json");
            } else {
                lock = resolve(dependencies, work, log);
            }
            String hash = sha256(lock);
            Path tree = treeOf(hash);
            if (Files.isDirectory(tree)) {
                log.system("node_modules for lockfile " + hash.substring(0, 12) + " already installed");
                return new InstalledDependencies(lock, hash, tree.resolve("node_modules"));
            }
            var mine = new CompletableFuture<Path>();
            var running = inFlight.putIfAbsent(hash, mine);
            if (running != null) {
                log.system("waiting for the install of lockfile " + hash.substring(0, 12) + " already under way");
                return new InstalledDependencies(lock, hash, await(running).resolve("node_modules"));
            }
            try {
                // the install that was in flight a moment ago may have finished between our two looks
                Path installed = Files.isDirectory(tree) ? tree : installTree(work, tree, hash, log);
                mine.complete(installed);
                return new InstalledDependencies(lock, hash, installed.resolve("node_modules"));
            } catch (Exception e) {
                // whoever waits on this install must not wait forever
                mine.completeExceptionally(e);
                throw e;
            } finally {
                inFlight.remove(hash, mine);
            }
        } catch (IOException e) {
            throw new BuildFailedException("cannot prepare the dependencies: " + e.getMessage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    /**
     * Resolves the dependencies to a lockfile with {@code npm install --package-lock-only}, or reuses the lockfile
     * resolved for the same package.json within the resolution TTL (npm itself treats registry metadata as fresh
     * for minutes), so a code-only change does not wait for npm.
     */
    private String resolve(Map<String, String> dependencies, Path work, BuildLog log)
            throws BuildFailedException, InterruptedException, IOException {
        String key = sha256(PackageJson.render(dependencies) + "\n" + settings.registry());
        Path remembered = resolvedDir.resolve(key + ".json");
        var ttl = settings.resolutionTtl();
        if (!ttl.isZero() && Files.isRegularFile(remembered)) {
            long age = System.currentTimeMillis()
                    - Files.getLastModifiedTime(remembered).toMillis();
            if (age >= 0 && age < ttl.toMillis()) {
                String lock = Files.readString(remembered);
                if (Files.isDirectory(treeOf(sha256(lock)))) {
                    log.system("dependencies resolved " + age / 1000 + " s ago: reusing that package-lock.json"
                            + " (cronhook.builder.resolution-ttl)");
                    return lock;
                }
            }
        }
        log.system("resolving " + dependencies.size() + " dependenc" + (dependencies.size() == 1 ? "y" : "ies"));
        settings.retry().call("npm install --package-lock-only", log, () -> {
            npm(work, log, "install", "--package-lock-only");
            return null;
        });
        String lock = Files.readString(work.resolve("package-lock.json"));
        if (!ttl.isZero()) {
            Path tmp = resolvedDir.resolve(key + "." + UUID.randomUUID() + ".tmp");
            Files.writeString(tmp, lock);
            Files.move(tmp, remembered, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return lock;
    }

    private Path installTree(Path work, Path tree, String hash, BuildLog log)
            throws BuildFailedException, InterruptedException, IOException {
        settings.retry().call("npm ci", log, () -> {
            npm(work, log, "ci", "--no-bin-links");
            return null;
        });
        long bytes = sizeOf(work.resolve("node_modules"));
        long limit = settings.maxNodeModulesBytes();
        log.system("node_modules: " + megabytes(bytes) + " MB");
        if (bytes > limit) {
            throw new BuildFailedException("node_modules is " + megabytes(bytes) + " MB, over the limit of "
                    + megabytes(limit) + " MB (cronhook.builder.max-node-modules-mb)");
        }
        // the tree is renamed into place whole, so a reader never sees half of it
        Path staged = stagingDir.resolve(hash + "-" + UUID.randomUUID());
        Files.createDirectories(staged);
        Files.move(work.resolve("node_modules"), staged.resolve("node_modules"));
        Files.copy(work.resolve("package.json"), staged.resolve("package.json"));
        Files.copy(work.resolve("package-lock.json"), staged.resolve("package-lock.json"));
        try {
            Files.move(staged, tree, StandardCopyOption.ATOMIC_MOVE);
            log.system("node_modules for lockfile " + hash.substring(0, 12) + " cached");
        } catch (IOException e) {
            deleteQuietly(staged);
            // another builder process installed the same lockfile first; its tree is as good as ours
            if (!Files.isDirectory(tree)) throw e;
        }
        return tree;
    }

    private void npm(Path dir, BuildLog log, String... args)
            throws TransientFailureException, BuildFailedException, InterruptedException {
        var command = new ArrayList<>(settings.command());
        command.addAll(List.of(args));
        command.addAll(List.of(
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--no-update-notifier",
                "--cache",
                npmCache.toString(),
                "--fetch-retries",
                "1",
                "--fetch-retry-mintimeout",
                "1000",
                "--fetch-retry-maxtimeout",
                "5000"));
        if (settings.registry() != null) command.addAll(List.of("--registry", settings.registry()));
        String shown = "npm " + String.join(" ", args);
        log.system("$ " + shown);
        var builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("npm_config_update_notifier", "false");
        builder.environment().put("npm_config_progress", "false");
        builder.environment().put("npm_config_loglevel", "warn");
        builder.environment().put("NO_COLOR", "1");
        Process process;
        try {
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new BuildFailedException(
                    "cannot start npm (" + String.join(" ", settings.command()) + "): " + e.getMessage(), e);
        }
        var errors = new ErrorLines();
        var out = Thread.ofVirtual().start(() -> pump(process.getInputStream(), BuildLog.Source.STDOUT, log, errors));
        var err = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), BuildLog.Source.STDERR, log, errors));
        boolean finished;
        try {
            finished = process.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
        if (!finished) {
            kill(process);
            out.join(2000);
            err.join(2000);
            log.system(shown + " killed after " + settings.timeout().toSeconds() + " s");
            throw new BuildFailedException(shown + " did not finish within "
                    + settings.timeout().toSeconds() + " s (cronhook.builder.npm-timeout) and was killed");
        }
        out.join(5000);
        err.join(5000);
        int exit = process.exitValue();
        if (exit == 0) return;
        String reason = shown + " failed (exit " + exit + (errors.code == null ? "" : ", " + errors.code) + ")"
                + (errors.message().isEmpty() ? "" : ": " + errors.message());
        if (errors.code != null && TRANSIENT_CODES.contains(errors.code)) throw new TransientFailureException(reason);
        throw new BuildFailedException(reason);
    }

    private static void pump(InputStream in, BuildLog.Source source, BuildLog log, ErrorLines errors) {
        try (var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) continue;
                errors.consider(line);
                log.line(source, line);
            }
        } catch (IOException e) {
            // the process was killed: its pipes close under us
        }
    }

    /** The first few "npm error" lines of a run, which say why it failed. */
    private static final class ErrorLines {
        private volatile String code;
        private final List<String> lines = new ArrayList<>();

        synchronized void consider(String line) {
            var c = ERROR_CODE.matcher(line);
            if (c.find()) {
                if (code == null) code = c.group(1);
                return;
            }
            var m = ERROR_LINE.matcher(line);
            if (!m.find()) return;
            // npm prefixes the lines of an HTTP error with its status ("404", "404  'x@^1' is not in this registry")
            String text =
                    m.group(1).replaceFirst("^\\d{3}(\\s+|$)(?!Not Found)", "").strip();
            if (text.isEmpty()
                    || text.startsWith("A complete log of this run")
                    || text.startsWith("Log files were not")) {
                return;
            }
            if (lines.size() < 4) lines.add(text);
        }

        synchronized String message() {
            return String.join(" ", lines);
        }
    }

    private static void validate(Map<String, String> dependencies) throws BuildFailedException {
        for (var e : dependencies.entrySet()) {
            String nameProblem = NpmPackageName.problem(e.getKey());
            if (nameProblem != null) {
                throw new BuildFailedException("dependency name '" + e.getKey() + "' " + nameProblem);
            }
            String rangeProblem = NpmVersionRange.problem(e.getValue());
            if (rangeProblem != null) {
                throw new BuildFailedException("dependency '" + e.getKey() + "': version " + rangeProblem);
            }
        }
    }
}

package dev.cronhook.builder.pip;

import static dev.cronhook.builder.DependencyTrees.await;
import static dev.cronhook.builder.DependencyTrees.kill;
import static dev.cronhook.builder.DependencyTrees.megabytes;
import static dev.cronhook.builder.DependencyTrees.sha256;
import static dev.cronhook.builder.DependencyTrees.sizeOf;
import static dev.cronhook.core.io.FileTrees.deleteQuietly;

import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.TransientFailureException;
import dev.cronhook.builder.image.HostRuntime;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.npm.DependencyInstaller;
import dev.cronhook.builder.npm.InstalledDependencies;
import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.core.script.PythonRequirements;
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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@link DependencyInstaller} for Python requirements with pip. Resolving ({@code pip download}, wheels only, so no
 * package's build code ever runs) gives a lock of exact versions with the sha256 of each wheel, in pip's
 * {@code --require-hashes} format; installing that lock ({@code pip install --no-deps --require-hashes --target})
 * into a staging directory, compiled to hash-checked bytecode, is renamed atomically to
 * {@code <cache>/pip/trees/<sha256 of the lock>}. pip's HTTP cache ({@code <cache>/pip/http}) is shared by every
 * build. Within this process one install per lock is in flight at a time; across processes the rename picks one.
 */
public final class PipDependencyInstaller implements DependencyInstaller {
    private static final Pattern LOCK_LINE =
            Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9][A-Za-z0-9.+!_-]* --hash=sha256:[0-9a-f]{64}$");
    /** What pip says when the index, not the input, failed. */
    private static final List<String> TRANSIENT = List.of(
            "NewConnectionError",
            "ConnectTimeoutError",
            "Read timed out",
            "ProxyError",
            "Connection reset",
            "Temporary failure in name resolution",
            "503 Server Error",
            "502 Server Error");

    private final Path trees;
    private final Path staging;
    private final Path httpCache;
    private final Path resolvedDir;
    private final PipSettings settings;
    private final ConcurrentHashMap<String, CompletableFuture<Path>> inFlight = new ConcurrentHashMap<>();
    private volatile Path python;

    public PipDependencyInstaller(Path cacheDir, PipSettings settings) {
        Path root = cacheDir.resolve("pip");
        this.trees = root.resolve("trees");
        this.staging = root.resolve("staging");
        this.httpCache = root.resolve("http");
        this.resolvedDir = root.resolve("resolved");
        this.settings = settings;
        this.python = settings.python();
        try {
            for (Path dir : List.of(trees, staging, httpCache, resolvedDir)) Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the pip cache under " + root, e);
        }
    }

    /** Where the tree of a lock with this hash lives once installed. */
    public Path treeOf(String lockHash) {
        return trees.resolve(lockHash);
    }

    @Override
    public InstalledDependencies install(Map<String, String> requirements, String lockfile, BuildLog log)
            throws BuildFailedException, InterruptedException {
        for (var e : requirements.entrySet()) {
            String problem = PythonRequirements.problem(e.getKey(), e.getValue());
            if (problem != null) throw new BuildFailedException("requirement " + problem);
        }
        if (requirements.isEmpty() && (lockfile == null || lockfile.isBlank())) {
            log.system("no requirements: pip skipped");
            return InstalledDependencies.none();
        }
        Path work = staging.resolve(UUID.randomUUID().toString());
        try {
            Files.createDirectories(work);
            String lock;
            Path wheels = null;
            if (lockfile != null && !lockfile.isBlank()) {
                lock = checkedLock(lockfile);
                log.system("installing exactly the given lock (" + lock.lines().count() + " packages)");
            } else {
                var resolved = resolve(requirements, work, log);
                lock = resolved;
                wheels = work.resolve("wheels");
            }
            String hash = sha256(lock);
            Path tree = treeOf(hash);
            if (Files.isDirectory(tree)) {
                log.system("site-packages for lock " + hash.substring(0, 12) + " already installed");
                return new InstalledDependencies(lock, hash, tree.resolve("site-packages"));
            }
            var mine = new CompletableFuture<Path>();
            var running = inFlight.putIfAbsent(hash, mine);
            if (running != null) {
                log.system("waiting for the install of lock " + hash.substring(0, 12) + " already under way");
                return new InstalledDependencies(lock, hash, await(running).resolve("site-packages"));
            }
            try {
                Path installed = Files.isDirectory(tree) ? tree : installTree(lock, wheels, work, tree, hash, log);
                mine.complete(installed);
                return new InstalledDependencies(lock, hash, installed.resolve("site-packages"));
            } catch (Exception e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                inFlight.remove(hash, mine);
            }
        } catch (IOException e) {
            throw new BuildFailedException("cannot prepare the requirements: " + e.getMessage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    /** A lock must be exactly what this installer writes: {@code name==version --hash=sha256:...} lines. */
    private static String checkedLock(String lockfile) throws BuildFailedException {
        var lines = new ArrayList<String>();
        for (String line : lockfile.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            if (!LOCK_LINE.matcher(l).matches()) {
                throw new BuildFailedException("the lock has a line that is not 'name==version --hash=sha256:...': "
                        + (l.length() > 120 ? l.substring(0, 120) + "…" : l));
            }
            lines.add(l);
        }
        return String.join("\n", lines.stream().sorted().toList()) + "\n";
    }

    /**
     * Resolves the requirements to a lock with {@code pip download} (the wheels land in the work directory, and the
     * install then takes them from there), or reuses the lock resolved for the same requirements within the TTL.
     */
    private String resolve(Map<String, String> requirements, Path work, BuildLog log)
            throws BuildFailedException, InterruptedException, IOException {
        String in = PythonRequirements.render(requirements);
        String key = sha256(in + "\n" + settings.indexUrl());
        Path remembered = resolvedDir.resolve(key + ".lock");
        var ttl = settings.resolutionTtl();
        if (!ttl.isZero() && Files.isRegularFile(remembered)) {
            long age = System.currentTimeMillis()
                    - Files.getLastModifiedTime(remembered).toMillis();
            if (age >= 0 && age < ttl.toMillis()) {
                String lock = Files.readString(remembered);
                if (Files.isDirectory(treeOf(sha256(lock)))) {
                    log.system("requirements resolved " + age / 1000 + " s ago: reusing that lock"
                            + " (cronhook.builder.resolution-ttl)");
                    return lock;
                }
            }
        }
        Files.writeString(work.resolve("requirements.in"), in);
        Path wheels = work.resolve("wheels");
        log.system("resolving " + requirements.size() + " requirement" + (requirements.size() == 1 ? "" : "s"));
        settings.retry().call("pip download", log, () -> {
            deleteQuietly(wheels);
            pip(
                    work,
                    log,
                    "download",
                    "--only-binary=:all:",
                    "--dest",
                    wheels.toString(),
                    "--requirement",
                    work.resolve("requirements.in").toString());
            return null;
        });
        var lines = new ArrayList<String>();
        try (var files = Files.list(wheels)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".whl")) {
                    throw new BuildFailedException(
                            "pip fetched a source distribution (" + name + "); only wheels" + " are installed");
                }
                String[] parts = name.split("-");
                lines.add(parts[0] + "==" + parts[1] + " --hash=sha256:" + sha256(Files.readAllBytes(file)));
            }
        }
        String lock = String.join("\n", lines.stream().sorted().toList()) + "\n";
        for (String line : lines) log.system("resolved " + line.substring(0, line.indexOf(' ')));
        if (!ttl.isZero()) {
            Path tmp = resolvedDir.resolve(key + "." + UUID.randomUUID() + ".tmp");
            Files.writeString(tmp, lock);
            Files.move(tmp, remembered, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return lock;
    }

    private Path installTree(String lock, Path wheels, Path work, Path tree, String hash, BuildLog log)
            throws BuildFailedException, InterruptedException, IOException {
        Path lockFile = Files.writeString(work.resolve("requirements.lock"), lock);
        Path target = work.resolve("site-packages");
        settings.retry().call("pip install", log, () -> {
            deleteQuietly(target);
            var args = new ArrayList<>(List.of(
                    "install",
                    "--no-deps",
                    "--require-hashes",
                    "--only-binary=:all:",
                    "--no-compile",
                    "--target",
                    target.toString(),
                    "--requirement",
                    lockFile.toString()));
            // wheels this build just resolved are installed from where pip put them, without asking the index again
            if (wheels != null) args.addAll(List.of("--no-index", "--find-links", wheels.toString()));
            pip(work, log, args.toArray(String[]::new));
            return null;
        });
        Files.createDirectories(target);
        // bytecode checked by the source's hash, not its time: image layers have fixed times
        try {
            run(
                    work,
                    log,
                    "python -m compileall",
                    List.of(
                            python().toString(),
                            "-m",
                            "compileall",
                            "-q",
                            "--invalidation-mode",
                            "unchecked-hash",
                            target.toString()),
                    false);
        } catch (TransientFailureException e) {
            throw new BuildFailedException(e.getMessage(), e);
        }
        long bytes = sizeOf(target);
        long limit = settings.maxTreeBytes();
        log.system("site-packages: " + megabytes(bytes) + " MB");
        if (bytes > limit) {
            throw new BuildFailedException("site-packages is " + megabytes(bytes) + " MB, over the limit of "
                    + megabytes(limit) + " MB (cronhook.builder.max-site-packages-mb)");
        }
        Path staged = staging.resolve(hash + "-" + UUID.randomUUID());
        Files.createDirectories(staged);
        Files.move(target, staged.resolve("site-packages"));
        Files.copy(lockFile, staged.resolve("requirements.lock"));
        try {
            Files.move(staged, tree, StandardCopyOption.ATOMIC_MOVE);
            log.system("site-packages for lock " + hash.substring(0, 12) + " cached");
        } catch (IOException e) {
            deleteQuietly(staged);
            if (!Files.isDirectory(tree)) throw e;
        }
        return tree;
    }

    private Path python() {
        var p = python;
        if (p == null) {
            p = HostRuntime.interpreterOnPath(LanguageRuntime.PYTHON);
            python = p;
        }
        return p;
    }

    private void pip(Path dir, BuildLog log, String... args)
            throws TransientFailureException, BuildFailedException, InterruptedException {
        var command = new ArrayList<>(List.of(python().toString(), "-m", "pip"));
        command.addAll(List.of(args));
        command.addAll(List.of(
                "--disable-pip-version-check",
                "--no-input",
                "--progress-bar",
                "off",
                "--cache-dir",
                httpCache.toString(),
                "--retries",
                "1",
                "--timeout",
                "15"));
        if (settings.indexUrl() != null && !List.of(args).contains("--no-index")) {
            command.addAll(List.of("--index-url", settings.indexUrl()));
        }
        run(dir, log, "pip " + args[0], command, true);
    }

    private void run(Path dir, BuildLog log, String shown, List<String> command, boolean echo)
            throws TransientFailureException, BuildFailedException, InterruptedException {
        if (echo) log.system("$ " + shown);
        var builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("PIP_NO_INPUT", "1");
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().put("NO_COLOR", "1");
        builder.environment().remove("PIP_REQUIRE_VIRTUALENV");
        Process process;
        try {
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new BuildFailedException("cannot start " + command.getFirst() + ": " + e.getMessage(), e);
        }
        var errors = new ArrayList<String>();
        var transientSeen = new boolean[1];
        var out =
                Thread.ofVirtual().start(() -> pump(process.getInputStream(), BuildLog.Source.STDOUT, log, null, null));
        var err = Thread.ofVirtual()
                .start(() -> pump(process.getErrorStream(), BuildLog.Source.STDERR, log, errors, transientSeen));
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
            throw new BuildFailedException(shown + " did not finish within "
                    + settings.timeout().toSeconds() + " s (cronhook.builder.pip-timeout) and was killed");
        }
        out.join(5000);
        err.join(5000);
        int exit = process.exitValue();
        if (exit == 0) return;
        String message;
        synchronized (errors) {
            message = String.join(" ", errors);
        }
        String reason = shown + " failed (exit " + exit + ")" + (message.isEmpty() ? "" : ": " + message);
        if (transientSeen[0]) throw new TransientFailureException(reason);
        throw new BuildFailedException(reason);
    }

    private static void pump(
            InputStream in, BuildLog.Source source, BuildLog log, List<String> errors, boolean[] transientSeen) {
        try (var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) continue;
                // pip warns about running as root even with --target, which touches no system package
                if (line.startsWith("WARNING: Running pip as the 'root' user")) continue;
                log.line(source, line);
                if (errors == null) continue;
                for (String t : TRANSIENT) if (line.contains(t)) transientSeen[0] = true;
                if (line.startsWith("ERROR: ")) {
                    synchronized (errors) {
                        if (errors.size() < 4)
                            errors.add(line.substring("ERROR: ".length()).strip());
                    }
                }
            }
        } catch (IOException e) {
            // the process was killed: its pipes close under us
        }
    }
}

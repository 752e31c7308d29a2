package dev.cronhook.builder.image;

import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.io.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * {@link ImageBuilder} for a machine without an engine or registry: a directory with the image's layout
 * ({@code harness.mjs}, {@code script.mjs}, {@code package.json}, {@code node_modules}) under
 * {@code <bundles>/<scriptId>/v<version>}, which the executor's process runtime runs. {@code node_modules} is a
 * symbolic link to the shared, read-only tree of the lockfile. The reference is {@code bundle:/abs/dir}; the
 * digest is the sha256 of the bundle's files.
 */
public final class BundleImageBuilder implements ImageBuilder {
    public static final String REF_PREFIX = "bundle:";

    private final Path bundlesDir;

    public BundleImageBuilder(Path bundlesDir) {
        this.bundlesDir = bundlesDir.toAbsolutePath();
    }

    @Override
    public BuiltImage build(ImageSpec spec, BuildLog log) throws BuildFailedException {
        if (spec.runtime() != dev.cronhook.core.harness.LanguageRuntime.NODE) {
            throw new BuildFailedException("bundles (the process runtime) run Node.js scripts only; "
                    + spec.runtime().language() + " scripts need a registry or Docker target");
        }
        Path dir = bundlesDir.resolve(spec.scriptId().toString()).resolve(spec.tag());
        Path staged = dir.resolveSibling("." + spec.tag() + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(staged);
            byte[] harness = Harness.source();
            byte[] code = spec.code().getBytes(StandardCharsets.UTF_8);
            byte[] pkg = spec.packageJson().getBytes(StandardCharsets.UTF_8);
            Files.write(staged.resolve(Harness.FILE_NAME), harness);
            Files.write(staged.resolve(Harness.SCRIPT_FILE_NAME), code);
            Files.write(staged.resolve("package.json"), pkg);
            var others = new StringBuilder();
            for (var file : spec.files().entrySet()) {
                byte[] text = file.getValue().getBytes(StandardCharsets.UTF_8);
                Path target = staged.resolve(file.getKey());
                Files.createDirectories(target.getParent());
                Files.write(target, text);
                others.append(file.getKey())
                        .append('=')
                        .append(ContentAddressedFiles.sha256(text))
                        .append('\n');
            }
            var deps = spec.dependencies();
            if (!deps.isEmpty()) {
                Files.createSymbolicLink(
                        staged.resolve("node_modules"), deps.nodeModules().toAbsolutePath());
            }
            String digest = "sha256:"
                    + ContentAddressedFiles.sha256(String.join(
                                    "\n",
                                    ContentAddressedFiles.sha256(harness),
                                    ContentAddressedFiles.sha256(code),
                                    ContentAddressedFiles.sha256(pkg),
                                    deps.isEmpty() ? "-" : deps.lockfileHash(),
                                    ContentAddressedFiles.sha256(
                                            others.toString().getBytes(StandardCharsets.UTF_8)))
                            .getBytes(StandardCharsets.UTF_8));
            replace(dir, staged);
            log.system("bundle written to " + dir);
            return new BuiltImage(REF_PREFIX + dir, digest);
        } catch (IOException e) {
            FileTrees.deleteQuietly(staged);
            throw new BuildFailedException("cannot write the bundle " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Puts the staged bundle in place; a rebuild of the same version replaces the old bundle whole. */
    private static void replace(Path dir, Path staged) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path old = dir.resolveSibling("." + dir.getFileName() + "-old-" + UUID.randomUUID());
            Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
            FileTrees.deleteQuietly(old);
        } else {
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}

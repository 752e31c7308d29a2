package dev.cronhook.builder.npm;

import java.nio.file.Path;

/**
 * An installed dependency tree: the package-lock.json it was installed from, its sha256 (hex) and the
 * node_modules directory, which must not be modified. All three are null for a script without dependencies.
 */
public record InstalledDependencies(String lockfile, String lockfileHash, Path nodeModules) {

    public static InstalledDependencies none() {
        return new InstalledDependencies(null, null, null);
    }

    public boolean isEmpty() {
        return nodeModules == null;
    }
}

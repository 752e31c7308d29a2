package dev.cronhook.builder.npm;

import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.log.BuildLog;
import java.util.Map;

/**
 * Resolves and installs a script version's npm dependencies into a shared, read-only tree keyed by the lockfile.
 * Thread-safe; two concurrent calls that resolve to the same lockfile install it once. Never runs install
 * scripts; bounded in time.
 */
public interface DependencyInstaller {

    /**
     * Installs {@code dependencies} (name to range); with a non-null {@code lockfile}, installs exactly that.
     * Throws {@link BuildFailedException} with the reason when they cannot be installed.
     */
    InstalledDependencies install(Map<String, String> dependencies, String lockfile, BuildLog log)
            throws BuildFailedException, InterruptedException;
}

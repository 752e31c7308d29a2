package dev.cronhook.executor.runtime.docker;

import java.util.List;

/**
 * The whole Docker contract again with runsc (gVisor), which the engine offers when it is registered in its
 * daemon.json (.ci/services.sh does so): a script's system calls meet gVisor's kernel, not the host's, and scripts get
 * the same promises as under runc and crun.
 */
class DockerScriptRuntimeRunscIT extends DockerScriptRuntimeIT {
    @Override
    protected String ociRuntime() {
        return "runsc";
    }

    @Override
    protected String expectedOciRuntime() {
        return "runsc";
    }

    /**
     * gVisor checks permissions before the read-only mount (Linux the other way round): the script's user writing to
     * a root-owned directory of the read-only root, or of the read-only socket directory, meets EACCES first.
     */
    @Override
    protected List<String> refusedWriteCodes() {
        return List.of("EROFS", "EACCES");
    }
}

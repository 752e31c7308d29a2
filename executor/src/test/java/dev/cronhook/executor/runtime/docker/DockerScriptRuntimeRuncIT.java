package dev.cronhook.executor.runtime.docker;

/**
 * The whole Docker contract again with runc, the engine's default OCI runtime: the executor takes crun when the
 * engine offers it, and an engine without crun must give scripts the same promises.
 */
class DockerScriptRuntimeRuncIT extends DockerScriptRuntimeIT {
    @Override
    protected String ociRuntime() {
        return "runc";
    }

    @Override
    protected String expectedOciRuntime() {
        return "runc";
    }
}

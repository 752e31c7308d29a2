package dev.cronhook.executor.runtime.docker;

/** The hostile-script contract in Docker with runc, the engine's default OCI runtime. */
class DockerHostileScriptRuncIT extends DockerHostileScriptIT {
    @Override
    protected String ociRuntime() {
        return "runc";
    }
}

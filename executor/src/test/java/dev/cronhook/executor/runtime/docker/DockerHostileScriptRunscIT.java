package dev.cronhook.executor.runtime.docker;

/**
 * The hostile-script contract in Docker with runsc (gVisor): whatever a script tries, it meets gVisor's kernel first
 * and must still fail at everything the contract lists. A script's processes live in gVisor's kernel, not the host's,
 * so the host-side checks for leftover processes hold trivially here; the next call's view still proves none is left.
 */
class DockerHostileScriptRunscIT extends DockerHostileScriptIT {
    @Override
    protected String ociRuntime() {
        return "runsc";
    }

    @Override
    protected boolean scriptProcessesAreHostProcesses() {
        return false;
    }
}

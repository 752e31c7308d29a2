package dev.cronhook.executor.runtime.docker;

/**
 * The hostile-script contract through sandboxes shared by a tenant's scripts: the code placed into a running
 * container, the call naming its script. The container's settings are those of a version's own.
 */
class DockerSharedHostileScriptIT extends DockerHostileScriptIT {
    @Override
    protected boolean shared() {
        return true;
    }
}

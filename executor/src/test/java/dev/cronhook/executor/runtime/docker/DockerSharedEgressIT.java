package dev.cronhook.executor.runtime.docker;

/**
 * The egress contract with every call in sandboxes one tenant's scripts share: calls of two scripts take turns in
 * one container, and the proxy cuts one script's tunnels when the other's call begins.
 */
class DockerSharedEgressIT extends DockerEgressIT {
    @Override
    protected boolean shared() {
        return true;
    }
}

package dev.cronhook.executor.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.RuntimeLimits;

/** The Docker engine the ITs of this package run on, and the clean-up of the containers a test class left. */
final class TestEngine {
    private TestEngine() {}

    static DockerClient client() {
        return DockerScriptRuntime.client(
                System.getenv().getOrDefault("CRONHOOK_TEST_DOCKER_HOST", "unix:///var/run/docker.sock"));
    }

    /** Removes every container (and socket directory) labelled with {@code owner}. */
    static void removeContainersOf(DockerClient docker, String owner) {
        new DockerScriptRuntime(
                        docker, "none", owner, RuntimeLimits.defaults(), HarnessScriptRuntime.WarmSettings.defaults())
                .removeLeftovers();
    }
}

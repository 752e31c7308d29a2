package dev.cronhook.builder.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DockerEngineIT {

    @Test
    void theRunningEngineIsReachableThroughTheDockerCli() {
        assertThat(DockerEngine.isReachable(Path.of("docker"))).isTrue();
    }

    @Test
    void aMissingDockerCliMeansNoEngine() {
        assertThat(DockerEngine.isReachable(Path.of("/nonexistent/docker"))).isFalse();
    }
}

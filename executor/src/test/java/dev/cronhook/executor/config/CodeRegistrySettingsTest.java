package dev.cronhook.executor.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.executor.runtime.docker.RegistryAccess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.mock.env.MockEnvironment;

/** Which registry shared sandboxes read code from, with which credentials, from the executor's and builder's settings. */
class CodeRegistrySettingsTest {
    @TempDir
    Path dockerConfig;

    private RegistryAccess codeRegistry(Map<String, String> values) {
        var all = new HashMap<>(values);
        all.putIfAbsent("DOCKER_CONFIG", dockerConfig.toString());
        var environment = new MockEnvironment();
        all.forEach(environment::setProperty);
        var properties = new Binder(new MapConfigurationPropertySource(all))
                .bindOrCreate("cronhook.executor", ExecutorProperties.class);
        return ExecutorAutoConfiguration.codeRegistry(properties, environment);
    }

    @Test
    void withNoRegistryNamedTheCodeComesFromTheEngine() {
        assertThat(codeRegistry(Map.of())).isNull();
    }

    @Test
    void theBuildersRegistryAndCredentialsAreTheDefault() {
        var access = codeRegistry(Map.of(
                "cronhook.builder.registry", "registry.example.com",
                "cronhook.builder.registry-username", "builder",
                "cronhook.builder.registry-password", "b-secret"));

        assertThat(access).isEqualTo(new RegistryAccess("registry.example.com", "builder", "b-secret", false));
    }

    @Test
    void theExecutorsOwnRegistryTakesNeitherTheBuildersCredentialsNorItsPlainHttp() {
        var access = codeRegistry(Map.of(
                "cronhook.builder.registry", "push.example.com",
                "cronhook.builder.registry-username", "builder",
                "cronhook.builder.registry-password", "b-secret",
                "cronhook.builder.insecure-registry", "true",
                "cronhook.executor.registry", "pull.example.com"));

        assertThat(access).isEqualTo(new RegistryAccess("pull.example.com", null, null, false));
    }

    @Test
    void plainHttpOnlyForThisMachineUnlessSaidOtherwise() {
        assertThat(codeRegistry(Map.of("cronhook.builder.registry", "127.0.0.1:5000"))
                        .plainHttp())
                .isTrue();
        assertThat(codeRegistry(Map.of(
                                "cronhook.executor.registry", "registry.internal:5000",
                                "cronhook.executor.insecure-registry", "true"))
                        .plainHttp())
                .isTrue();
    }

    @Test
    void withoutConfiguredCredentialsTheEngineClientsConfigHasThem() throws Exception {
        String auth = Base64.getEncoder().encodeToString("do-token:do-token".getBytes(StandardCharsets.UTF_8));
        Files.writeString(
                dockerConfig.resolve("config.json"),
                "{\"auths\":{\"registry.digitalocean.com\":{\"auth\":\"" + auth + "\"}}}");

        // as the Kubernetes overlays name it: the registry and the operator's namespace in it
        var access = codeRegistry(Map.of("cronhook.builder.registry", "registry.digitalocean.com/cronhook"));
        var own = codeRegistry(Map.of(
                "cronhook.executor.registry", "registry.digitalocean.com",
                "cronhook.executor.registry-username", "reader",
                "cronhook.executor.registry-password", "r-secret"));

        assertThat(access).isEqualTo(new RegistryAccess("registry.digitalocean.com", "do-token", "do-token", false));
        assertThat(own.username()).isEqualTo("reader");
        assertThat(own.toString()).doesNotContain("r-secret");
    }
}

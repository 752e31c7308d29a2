package dev.cronhook.builder.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class BuilderPropertiesTest {

    private static BuilderProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("cronhook.builder", BuilderProperties.class);
    }

    @Test
    void defaultsBuildFromTheHostsNodeToWhateverTargetIsAvailable() {
        var properties = bind(Map.of());

        assertThat(properties.target()).isEqualTo(BuilderProperties.Target.AUTO);
        assertThat(properties.baseImage()).isEqualTo("host");
        assertThat(properties.maxNodeModulesMb()).isEqualTo(300);
        assertThat(properties.npmTimeout()).hasMinutes(5);
    }

    @Test
    void plainHttpIsAllowedOnlyForARegistryOnThisMachineUnlessSaidOtherwise() {
        assertThat(bind(Map.of("cronhook.builder.registry", "127.0.0.1:5000")).registryAllowsPlainHttp())
                .isTrue();
        assertThat(bind(Map.of("cronhook.builder.registry", "registry.example.com"))
                        .registryAllowsPlainHttp())
                .isFalse();
        assertThat(bind(Map.of(
                                "cronhook.builder.registry", "registry.internal:5000",
                                "cronhook.builder.insecure-registry", "true"))
                        .registryAllowsPlainHttp())
                .isTrue();
    }

    @Test
    void targetAndSizeLimitAreBoundFromConfiguration() {
        var properties = bind(Map.of(
                "cronhook.builder.target", "bundle",
                "cronhook.builder.max-node-modules-mb", "50"));

        assertThat(properties.target()).isEqualTo(BuilderProperties.Target.BUNDLE);
        assertThat(properties.maxNodeModulesMb()).isEqualTo(50);
    }
}

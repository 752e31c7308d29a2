package dev.cronhook.builder.npm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.wire.Wire;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PackageJsonTest {

    @Test
    void packageJsonIsAPrivateEsModuleWithTheDependenciesSortedByName() {
        String json = PackageJson.render(Map.of("lodash", "^4.17.21", "dayjs", "^1.11.0"));

        var tree = Wire.json().readTree(json);
        assertThat(tree.get("name").asString()).isEqualTo("script");
        assertThat(tree.get("private").asBoolean()).isTrue();
        assertThat(tree.get("type").asString()).isEqualTo("module");
        assertThat(tree.get("dependencies").get("lodash").asString()).isEqualTo("^4.17.21");
        assertThat(json.indexOf("dayjs")).isLessThan(json.indexOf("lodash"));
    }

    @Test
    void theSameDependenciesAlwaysGiveTheSameBytes() {
        assertThat(PackageJson.render(Map.of("a", "1", "b", "2")))
                .isEqualTo(PackageJson.render(Map.of("b", "2", "a", "1")));
    }

    @Test
    void aScriptWithoutDependenciesHasNoDependenciesField() {
        assertThat(Wire.json().readTree(PackageJson.render(Map.of())).has("dependencies"))
                .isFalse();
    }
}

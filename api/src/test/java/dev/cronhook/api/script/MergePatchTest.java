package dev.cronhook.api.script;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class MergePatchTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static String apply(String target, String patch) {
        return MergePatch.apply(JSON.readTree(target), JSON.readTree(patch)).toString();
    }

    @Test
    void fieldsLeftOutKeepTheirValuesAndNullRemovesOne() {
        assertThat(apply("{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"}}", "{\"a\":\"z\",\"c\":{\"f\":null}}"))
                .isEqualTo("{\"a\":\"z\",\"c\":{\"d\":\"e\"}}");
    }

    @Test
    void anArrayOrAValueReplacesWhatWasThereWhole() {
        assertThat(apply("{\"a\":[1,2]}", "{\"a\":[3]}")).isEqualTo("{\"a\":[3]}");
        assertThat(apply("{\"a\":{\"b\":1}}", "{\"a\":\"x\"}")).isEqualTo("{\"a\":\"x\"}");
        assertThat(apply("{\"a\":\"x\"}", "{\"a\":{\"b\":1,\"c\":null}}")).isEqualTo("{\"a\":{\"b\":1}}");
    }

    @Test
    void theTargetIsNotChanged() {
        var target = JSON.readTree("{\"a\":1}");
        MergePatch.apply(target, JSON.readTree("{\"a\":null}"));
        assertThat(target.toString()).isEqualTo("{\"a\":1}");
    }
}

package dev.cronhook.api.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonbTextTest {

    @Test
    void jsonWithoutANulGoesToTheColumnAsItIs() {
        String json = "{\"a\":\"\\u0001\",\"b\":[1,2]}";

        assertThat(JsonbText.toColumn(json)).isSameAs(json);
        assertThat(JsonbText.fromColumn(json)).isSameAs(json);
    }

    @Test
    void jsonWithANulIsWrappedSoThatJsonbTakesItAndComesBackAsItWas() {
        for (String json : List.of(
                "{\"text\":\"a\\u0000b\"}",
                "\"\\u0000\"",
                "{\"k\\u0000\":[\"\\u0000\"]}",
                "{\"cronhook:json\":\"{}\"}")) {
            String stored = JsonbText.toColumn(json);

            // the stored document's only string holds the escape as plain characters: no U+0000 for JSONB
            var node = tools.jackson.databind.json.JsonMapper.builder().build().readTree(stored);
            assertThat(node.propertyNames()).containsExactly("cronhook:json");
            assertThat(node.get("cronhook:json").asString()).doesNotContain("\u0000");
            assertThat(JsonbText.fromColumn(stored)).isEqualTo(json);
        }
    }

    @Test
    void nullStaysNull() {
        assertThat(JsonbText.toColumn(null)).isNull();
        assertThat(JsonbText.fromColumn(null)).isNull();
    }
}

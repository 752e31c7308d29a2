package dev.cronhook.core.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.core.build.BuildRequest;
import dev.cronhook.core.wire.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LanguageRuntimeTest {

    @Test
    void aScriptWithoutALanguageIsNode() {
        assertThat(LanguageRuntime.of(null)).isSameAs(LanguageRuntime.NODE);
        assertThat(LanguageRuntime.of(" ")).isSameAs(LanguageRuntime.NODE);
        assertThat(LanguageRuntime.of("Python")).isSameAs(LanguageRuntime.PYTHON);
    }

    @Test
    void anUnknownLanguageIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> LanguageRuntime.of("ruby"))
                .isInstanceOf(LanguageRuntime.UnknownLanguageException.class)
                .hasMessageContaining("ruby")
                .hasMessageContaining("node, python");
    }

    @Test
    void eachRuntimeShipsItsHarnessAndStartsIt() {
        for (var name : LanguageRuntime.names()) {
            var runtime = LanguageRuntime.of(name);
            assertThat(runtime.harnessSource()).isNotEmpty();
            assertThat(runtime.entrypoint("/usr/bin/x")).containsExactly("/usr/bin/x", "/app/" + runtime.harnessFile());
        }
        assertThat(new String(LanguageRuntime.PYTHON.harnessSource(), StandardCharsets.UTF_8))
                .contains("CRONHOOK_HARNESS_SOCKET")
                .contains("\"drain\":true");
    }

    @Test
    void aBuildRequestWithoutALanguageOnTheWireIsNode() {
        var request = new BuildRequest(UUID.randomUUID(), 1, "x", Map.of(), null, Instant.EPOCH);
        String json = Wire.json().writeValueAsString(request).replace(",\"language\":\"node\"", "");

        var read = Wire.json().readValue(json, BuildRequest.class);

        assertThat(read.language()).isEqualTo("node");
        assertThat(read.runtime()).isSameAs(LanguageRuntime.NODE);
        assertThat(json).doesNotContain("runtime");
    }
}

package dev.cronhook.core.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PythonRequirementsTest {

    @Test
    void namesAndSpecifiersArePipsPlainRequirements() {
        assertThat(PythonRequirements.problem("requests", ">=2.31")).isNull();
        assertThat(PythonRequirements.problem("python-dateutil", "==2.9.0.post0"))
                .isNull();
        assertThat(PythonRequirements.problem("pyyaml", ">=6, <7")).isNull();
        assertThat(PythonRequirements.problem("anything", "")).isNull();
        assertThat(PythonRequirements.problem("anything", "*")).isNull();
    }

    @Test
    void optionsUrlsMarkersAndLineBreaksAreRefused() {
        assertThat(PythonRequirements.problem("requests", ">=2\n--index-url http://evil.example/"))
                .isNotNull();
        assertThat(PythonRequirements.problem("requests", "@ https://evil.example/r.whl"))
                .isNotNull();
        assertThat(PythonRequirements.problem("requests[socks]", "")).isNotNull();
        assertThat(PythonRequirements.problem("-r other.txt", "")).isNotNull();
        assertThat(PythonRequirements.problem("requests", "; python_version < '3'"))
                .isNotNull();
    }

    @Test
    void aRequirementsTxtOfPlainLinesIsReadAndAnythingElseIsRefusedWithItsLine() {
        assertThat(PythonRequirements.parse("# tools\nrequests>=2.31\n\npyyaml == 6.0.1  # pinned\nidna\n"))
                .containsExactly(
                        Map.entry("requests", ">=2.31"), Map.entry("pyyaml", "== 6.0.1"), Map.entry("idna", ""));
        assertThatThrownBy(() -> PythonRequirements.parse("requests\n--extra-index-url http://evil.example/\n"))
                .hasMessageContaining("line 2");
    }

    @Test
    void renderedRequirementsAreSortedByNormalizedName() {
        assertThat(PythonRequirements.render(Map.of("Requests", ">=2", "a_b", "*")))
                .isEqualTo("a-b\nrequests>=2\n");
    }
}

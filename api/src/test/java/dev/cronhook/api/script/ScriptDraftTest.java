package dev.cronhook.api.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.core.validation.InvalidInputException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScriptDraftTest {
    static final ScriptLimits LIMITS = new ScriptLimits(30, 900, 128, 32, 2048, 100, 262_144, 50);
    static final String PYTHON = "def handler(event, ctx):\n    return 1\n";

    private static ScriptRequest python(Map<String, String> requirements, String requirementsTxt, String code) {
        return new ScriptRequest(
                "py", code, null, null, null, null, null, null, null, null, "python", requirements, requirementsTxt);
    }

    @Test
    void aPythonScriptsRequirementsComeAsAMapOrAsARequirementsTxt() {
        var fromMap = ScriptDraft.validate(python(Map.of("requests", ">=2.31"), null, PYTHON), LIMITS);
        var fromTxt = ScriptDraft.validate(python(null, "# http\nrequests>=2.31\n", PYTHON), LIMITS);

        assertThat(fromMap.language()).isEqualTo("python");
        assertThat(fromMap.dependencies()).containsExactly(Map.entry("requests", ">=2.31"));
        assertThat(fromTxt.dependencies()).isEqualTo(fromMap.dependencies());
    }

    @Test
    void aRequirementsTxtWithAnOptionAndCodeWithoutAHandlerAreRefused() {
        assertThatThrownBy(() -> ScriptDraft.validate(
                        python(null, "requests\n--index-url http://evil.example/\n", "print(1)\n"), LIMITS))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
                        .extracting(v -> v.field())
                        .containsExactlyInAnyOrder("requirementsTxt", "code"));
    }

    @Test
    void aScriptWithoutALanguageIsNodeAndItsDependenciesAreNpms() {
        var draft = ScriptDraft.validate(
                new ScriptRequest(
                        "js",
                        "export default async () => 1;",
                        Map.of("lodash", "^4.17.21"),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null),
                LIMITS);

        assertThat(draft.language()).isEqualTo("node");
        assertThat(draft.dependencies()).containsEntry("lodash", "^4.17.21");
    }
}

package dev.cronhook.web.script;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.validation.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.springframework.util.LinkedMultiValueMap;

class ScriptFormTest {

    @Test
    void aPythonFormBecomesAPythonRequestWithItsPackagesAsRequirements() {
        var form = new LinkedMultiValueMap<String, String>();
        form.add("name", "py");
        form.add("language", "python");
        form.add("code", ScriptForm.PYTHON_TEMPLATE);
        form.add("dependencyName", "requests");
        form.add("dependencyRange", ">=2.31");
        form.add("timeoutSeconds", "30");
        form.add("memoryMb", "128");

        var request = ScriptForm.from(form).toRequest(null);

        assertThat(request.language()).isEqualTo("python");
        assertThat(request.dependencies()).containsEntry("requests", ">=2.31");
        assertThat(ScriptForm.templateFor("python")).contains("def handler(event, ctx):");
        assertThat(ScriptForm.templateFor("node")).contains("export default");
    }

    @Test
    void aFormWithoutALanguageIsNodeAndARequirementsErrorShowsAtItsRow() {
        var form = new LinkedMultiValueMap<String, String>();
        form.add("name", "js");
        form.add("code", ScriptForm.TEMPLATE);

        assertThat(ScriptForm.from(form).language()).isEqualTo("node");
        var errors =
                ScriptForm.errorsOf(new InvalidInputException("requirements.requests", "is not a version specifier"));
        assertThat(errors).containsEntry("dependencies.requests", "is not a version specifier");
    }
}

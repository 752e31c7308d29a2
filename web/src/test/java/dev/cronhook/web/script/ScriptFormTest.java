package dev.cronhook.web.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.api.script.ScriptView;
import dev.cronhook.core.validation.InvalidInputException;
import java.util.Map;
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

    @Test
    void aFormWithFilesBecomesARequestWithEveryFileTheEntryFirst() {
        var form = new LinkedMultiValueMap<String, String>();
        form.add("name", "two");
        form.add("code", "import { x } from './lib/x.mjs';\r\nexport default async () => x;\r\n");
        form.add("filePath", "lib/x.mjs");
        form.add("fileContent", "export const x = 1;\r\n");
        form.add("filePath", "data.json");
        form.add("fileContent", "{}");
        // the no-script page's empty slot for a new file
        form.add("filePath", "");
        form.add("fileContent", "");

        var request = ScriptForm.from(form).toRequest(null);

        assertThat(request.code()).isNull();
        assertThat(request.files())
                .containsExactly(
                        Map.entry("index.mjs", "import { x } from './lib/x.mjs';\nexport default async () => x;\n"),
                        Map.entry("lib/x.mjs", "export const x = 1;\n"),
                        Map.entry("data.json", "{}"));
    }

    @Test
    void aFormWithoutOtherFilesStaysTheOneFileShorthandInItsEnvironment() {
        var form = new LinkedMultiValueMap<String, String>();
        form.add("name", "one");
        form.add("code", ScriptForm.TEMPLATE);
        form.add("environment", "prod");

        var request = ScriptForm.from(form).toRequest(null);

        assertThat(request.code()).isEqualTo(ScriptForm.TEMPLATE);
        assertThat(request.files()).isNull();
        assertThat(request.environment()).isEqualTo("prod");
        assertThat(ScriptForm.from(new LinkedMultiValueMap<>()).toRequest(null).environment())
                .isNull();
    }

    @Test
    void aPythonScriptsEntryIsMainPyAndItsErrorShowsAtTheCode() {
        var form = new LinkedMultiValueMap<String, String>();
        form.add("name", "py");
        form.add("language", "python");
        form.add("code", ScriptForm.PYTHON_TEMPLATE);
        form.add("filePath", "helpers.py");
        form.add("fileContent", "X = 1\n");

        var parsed = ScriptForm.from(form);

        assertThat(parsed.toRequest(null).files()).containsOnlyKeys("main.py", "helpers.py");
        var errors = parsed.errors(new InvalidInputException("files.main.py", "must be at most 64 KiB"));
        assertThat(errors).containsEntry("code", "must be at most 64 KiB");
        assertThat(parsed.filePaths()).containsExactly("helpers.py");
    }

    @Test
    void aFileWithoutAPathTwiceTheSameOrNamedAsTheEntryIsRefusedByTheForm() {
        var form = new LinkedMultiValueMap<String, String>();
        form.add("name", "bad");
        form.add("code", ScriptForm.TEMPLATE);
        form.add("filePath", "");
        form.add("fileContent", "orphan text");
        form.add("filePath", "a.mjs");
        form.add("fileContent", "1");
        form.add("filePath", "a.mjs");
        form.add("fileContent", "2");
        form.add("filePath", "index.mjs");
        form.add("fileContent", "3");

        assertThatThrownBy(() -> ScriptForm.from(form).toRequest(null))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(ScriptForm.errorsOf(e))
                        .containsEntry("files.", "a file needs a path")
                        .containsEntry("files.a.mjs", "is there twice")
                        .containsKey("files.index.mjs"));
    }

    @Test
    void aScriptViewsFilesBecomeTheFormsFilesWithoutTheEntry() {
        var view = new ScriptView(
                java.util.UUID.randomUUID(),
                "multi",
                "prod",
                2,
                1,
                "export default async () => 1;\n",
                Map.of(),
                true,
                null,
                null,
                30,
                128,
                null,
                dev.cronhook.core.build.BuildState.READY,
                java.time.Instant.now(),
                java.time.Instant.now(),
                null,
                null,
                false,
                null,
                null,
                "node",
                new java.util.LinkedHashMap<>(
                        Map.of("index.mjs", "export default async () => 1;\n", "lib.mjs", "export const y = 2;\n")));

        var form = ScriptForm.of(view);

        assertThat(form.files()).containsExactly(new ScriptForm.SourceFile("lib.mjs", "export const y = 2;\n"));
        assertThat(form.environment()).isEqualTo("prod");
    }
}

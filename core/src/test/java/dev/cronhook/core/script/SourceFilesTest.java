package dev.cronhook.core.script;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.core.validation.Violation;
import dev.cronhook.core.validation.Violations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourceFilesTest {
    static final String ENTRY = "import { x } from './lib/x.mjs'; export default () => x;";

    static List<String> fields(Violations v) {
        return v.list().stream().map(Violation::field).toList();
    }

    @Test
    void theEntryBecomesTheCodeAndTheOtherFilesGoBesideIt() {
        var v = new Violations();
        var files = SourceFiles.of(
                Map.of("index.mjs", ENTRY, "lib/x.mjs", "export const x = 1;", "data.json", "{}"),
                null,
                LanguageRuntime.NODE,
                1024,
                v);
        assertThat(v.isEmpty()).isTrue();
        assertThat(files.code()).isEqualTo(ENTRY);
        assertThat(files.others()).containsOnlyKeys("data.json", "lib/x.mjs");
        assertThat(files.manifestDependencies()).isNull();
        assertThat(files.all(LanguageRuntime.NODE).keySet()).containsExactly("index.mjs", "data.json", "lib/x.mjs");
    }

    @Test
    void packageJsonGivesTheDependenciesAndIsNotAFile() {
        var v = new Violations();
        var files = SourceFiles.of(
                Map.of("index.mjs", ENTRY, "package.json", "{\"type\":\"module\",\"dependencies\":{\"ms\":\"^2\"}}"),
                null,
                LanguageRuntime.NODE,
                1024,
                v);
        assertThat(v.isEmpty()).isTrue();
        assertThat(files.manifestDependencies()).isEqualTo(Map.of("ms", "^2"));
        assertThat(files.others()).isEmpty();
    }

    @Test
    void requirementsTxtGivesAPythonScriptsRequirements() {
        var v = new Violations();
        var files = SourceFiles.of(
                Map.of("main.py", "def handler(event, ctx):\n  return 1\n", "requirements.txt", "requests>=2.31\n"),
                null,
                LanguageRuntime.PYTHON,
                1024,
                v);
        assertThat(v.list()).isEmpty();
        assertThat(files.manifestDependencies()).containsOnlyKeys("requests");
    }

    @Test
    void pathsOutsideTheCodeDirectoryDotfilesAndTheImagesOwnNamesAreRefused() {
        var files = new LinkedHashMap<String, String>();
        files.put("index.mjs", ENTRY);
        files.put("../escape.mjs", "x");
        files.put("/etc/passwd", "x");
        files.put("a/./b.mjs", "x");
        files.put(".env", "x");
        files.put("a\\b.mjs", "x");
        files.put("script.mjs", "x");
        files.put("harness.mjs", "x");
        files.put("node_modules/x/index.js", "x");
        files.put("package-lock.json", "{}");
        files.put("a/b/c/d/e/f/g.mjs", "x");
        files.put("ok/fine-name_1.json", "{}");
        var v = new Violations();
        SourceFiles.of(files, null, LanguageRuntime.NODE, 1024, v);
        assertThat(fields(v))
                .containsExactlyInAnyOrder(
                        "files.../escape.mjs",
                        "files./etc/passwd",
                        "files.a/./b.mjs",
                        "files..env",
                        "files.a\\b.mjs",
                        "files.script.mjs",
                        "files.harness.mjs",
                        "files.node_modules/x/index.js",
                        "files.package-lock.json",
                        "files.a/b/c/d/e/f/g.mjs");
    }

    @Test
    void aMissingEntryTooManyOrTooLargeFilesAndCodeThatDisagreesAreEachSaid() {
        var v = new Violations();
        SourceFiles.of(Map.of("lib/x.mjs", "x"), null, LanguageRuntime.NODE, 1024, v);
        assertThat(v.list()).anySatisfy(x -> assertThat(x.message()).contains("must include the entry index.mjs"));

        var many = new LinkedHashMap<String, String>();
        for (int i = 0; i <= SourceFiles.MAX_FILES; i++) many.put("f" + i + ".txt", "x");
        var tooMany = new Violations();
        SourceFiles.of(many, null, LanguageRuntime.NODE, 1024, tooMany);
        assertThat(fields(tooMany)).containsExactly("files");

        var big = new Violations();
        SourceFiles.of(Map.of("index.mjs", ENTRY, "big.txt", "x".repeat(2048)), null, LanguageRuntime.NODE, 1024, big);
        assertThat(fields(big)).containsExactly("files.big.txt");

        var disagree = new Violations();
        SourceFiles.of(Map.of("index.mjs", ENTRY), "export default () => 2;", LanguageRuntime.NODE, 1024, disagree);
        assertThat(fields(disagree)).containsExactly("code");

        var badManifest = new Violations();
        SourceFiles.of(
                Map.of("index.mjs", ENTRY, "package.json", "{\"dependencies\": [\"ms\"]}"),
                null,
                LanguageRuntime.NODE,
                1024,
                badManifest);
        assertThat(fields(badManifest)).containsExactly("files.package.json");
    }

    @Test
    void withoutFilesTheCodeIsTheShorthand() {
        var v = new Violations();
        var files = SourceFiles.of(null, ENTRY, LanguageRuntime.NODE, 1024, v);
        assertThat(v.isEmpty()).isTrue();
        assertThat(files.code()).isEqualTo(ENTRY);
        assertThat(files.others()).isEmpty();
    }
}

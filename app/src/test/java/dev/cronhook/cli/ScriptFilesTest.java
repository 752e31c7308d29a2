package dev.cronhook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScriptFilesTest {
    @Test
    void ignorePatternsMatchPathsAndNamesAndSkipComments() {
        var m = ScriptFiles.ignorePatterns(List.of("# tests", "*.test.mjs", "/fixtures/", "", "docs/**"));
        assertThat(m).hasSize(3);
        assertThat(m.get(0).matches(Path.of("a.test.mjs"))).isTrue();
        assertThat(m.get(1).matches(Path.of("fixtures"))).isTrue();
        assertThat(m.get(2).matches(Path.of("docs/a/b.md"))).isTrue();
        assertThat(m.get(2).matches(Path.of("lib/util.mjs"))).isFalse();
    }

    @Test
    void packageJsonGivesItsDependencies() {
        var problems = new ArrayList<String>();
        assertThat(ScriptFiles.packageDependencies("{\"name\":\"x\",\"dependencies\":{\"ms\":\"2.1.3\"}}", problems))
                .isEqualTo(Map.of("ms", "2.1.3"));
        assertThat(ScriptFiles.packageDependencies("{\"name\":\"x\"}", problems))
                .isEmpty();
        assertThat(problems).isEmpty();
        assertThat(ScriptFiles.packageDependencies("{\"dependencies\":[]}", problems))
                .isNull();
        assertThat(problems).containsExactly("package.json: dependencies must map package names to versions");
    }

    @Test
    void requirementsLinesBecomeAMap() {
        assertThat(TryCommand.requirements("# pinned\nrequests>=2.31\n\nsix  # any\n"))
                .isEqualTo(Map.of("requests", ">=2.31", "six", ""));
    }

    @Test
    void theEntryDependsOnTheLanguage() {
        assertThat(ScriptFiles.entry("node")).isEqualTo("index.mjs");
        assertThat(ScriptFiles.entry("python")).isEqualTo("main.py");
    }
}

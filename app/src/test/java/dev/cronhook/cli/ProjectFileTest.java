package dev.cronhook.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProjectFileTest {
    static List<String> problems(String yaml) {
        var e = catchThrowableOfType(CliException.class, () -> ProjectFile.parse(yaml, "cronhook.yaml"));
        assertThat(e).as("an invalid project").isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).isEqualTo("cronhook.yaml is invalid");
        return e.details();
    }

    @Test
    void aFullScriptIsReadWithEveryField() {
        var p = ProjectFile.parse("""
                secrets: [SHARED]
                scripts:
                  - name: orders
                    dir: scripts/orders
                    dependencies: { lodash: "^4.17.21" }
                    webhook: false
                    cron: { expression: "0 9 * * 1-5", timezone: Europe/Berlin, overlapPolicy: SKIP }
                    timeoutSeconds: 30
                    memoryMb: 256
                    maxConcurrency: 2
                    retry: { maxAttempts: 3, initialDelaySeconds: 5, factor: 2.5 }
                    egress: { allow: [api.github.com] }
                    alerts: { consecutiveFailures: 3, lateTickSeconds: 0 }
                    secrets: [API_KEY]
                  - name: hello
                    language: python
                """, "cronhook.yaml");

        assertThat(p.secrets()).containsExactly("SHARED");
        var orders = p.scripts().getFirst();
        assertThat(orders.name()).isEqualTo("orders");
        assertThat(orders.dir()).isEqualTo("scripts/orders");
        assertThat(orders.language()).isEqualTo("node");
        assertThat(orders.dependencies()).isEqualTo(Map.of("lodash", "^4.17.21"));
        assertThat(orders.settings().toString())
                .isEqualTo("{\"webhook\":false,\"cron\":{\"expression\":\"0 9 * * 1-5\",\"timezone\":\"Europe/Berlin\","
                        + "\"overlapPolicy\":\"SKIP\"},\"timeoutSeconds\":30,\"memoryMb\":256,\"maxConcurrency\":2,"
                        + "\"retry\":{\"maxAttempts\":3,\"initialDelaySeconds\":5,\"factor\":2.5},"
                        + "\"egress\":{\"allow\":[\"api.github.com\"]}}");
        assertThat(orders.alerts().toString()).isEqualTo("{\"consecutiveFailures\":3,\"lateTickSeconds\":0}");
        assertThat(orders.secrets()).containsExactly("API_KEY");
        var hello = p.scripts().get(1);
        assertThat(hello.dir()).isEqualTo("hello");
        assertThat(hello.language()).isEqualTo("python");
        assertThat(hello.dependencies()).isNull();
        assertThat(hello.alerts()).isNull();
        assertThat(hello.settings().isEmpty()).isTrue();
    }

    @Test
    void aCronGivenAsAStringIsItsExpression() {
        var p = ProjectFile.parse("scripts: [{name: tick, cron: '*/5 * * * *'}]", "cronhook.yaml");
        assertThat(p.scripts().getFirst().settings().get("cron").toString())
                .isEqualTo("{\"expression\":\"*/5 * * * *\"}");
    }

    @Test
    void theSameProjectIsAcceptedAsJson() {
        var p = ProjectFile.parse("{\"scripts\": [{\"name\": \"a\", \"timeoutSeconds\": 5}]}", "cronhook.json");
        assertThat(p.scripts().getFirst().settings().get("timeoutSeconds").asInt())
                .isEqualTo(5);
    }

    @Test
    void everyProblemIsReportedWithItsLineAndPath() {
        assertThat(problems("""
                scripts:
                  - name: ok
                    timeoutSeconds: ten
                    cron: { timezone: UTC }
                  - name: "bad/name"
                    language: ruby
                    colour: blue
                    secrets: [not-a-name]
                """))
                .containsExactly(
                        "cronhook.yaml:3: scripts[0].timeoutSeconds: must be a whole number, 1 or more",
                        "cronhook.yaml:4: scripts[0].cron: expression: is required",
                        "cronhook.yaml:5: scripts[1].name: may contain letters, digits, spaces, '.', '_' and '-',"
                                + " starting with a letter or digit, at most 100 characters",
                        "cronhook.yaml:6: scripts[1].language: must be node or python",
                        "cronhook.yaml:7: scripts[1].colour: unknown field (known: alerts, cron, dependencies, dir,"
                                + " egress, language, maxConcurrency, memoryMb, name, retry, secrets, timeoutSeconds,"
                                + " webhook)",
                        "cronhook.yaml:8: scripts[1].secrets[0]: is not a secret name (letters, digits and '_', not"
                                + " starting with a digit); give names only, never values");
    }

    @Test
    void twoScriptsMayNotShareANameOrADirectory() {
        assertThat(problems("""
                scripts:
                  - name: a
                  - name: A
                  - name: b
                    dir: a
                """))
                .containsExactly(
                        "cronhook.yaml:3: scripts[1].name: another script is named A",
                        "cronhook.yaml:5: scripts[2].dir: is also the directory of a");
    }

    @Test
    void aDirectoryOutsideTheProjectIsRefused() {
        assertThat(problems("scripts: [{name: a, dir: ../elsewhere}, {name: b, dir: /etc}]"))
                .containsExactly(
                        "cronhook.yaml:1: scripts[0].dir: must be a directory inside the project",
                        "cronhook.yaml:1: scripts[1].dir: must be a directory inside the project");
    }

    @Test
    void aFileWithoutScriptsSaysSo() {
        assertThat(problems("secrets: [A]")).containsExactly("cronhook.yaml: scripts: is required (a list of scripts)");
        assertThat(problems("scripts: []")).containsExactly("cronhook.yaml:1: scripts: must list at least one script");
        assertThat(problems("- name: a")).containsExactly("cronhook.yaml:1: : must be a mapping with a scripts list");
    }

    @Test
    void brokenYamlNamesItsLine() {
        assertThat(problems("scripts:\n  - name: a\n    cron: { expression: \"x\"\n  bad"))
                .singleElement()
                .isEqualTo("cronhook.yaml:4: not valid YAML: while parsing a flow mapping; expected ',' or '}', but got"
                        + " <scalar>");
    }

    @Test
    void aKeyGivenTwiceIsAProblem() {
        assertThat(problems("scripts:\n  - name: a\n    name: b\n"))
                .containsExactly("cronhook.yaml:3: scripts[0].name: given twice");
    }

    @Test
    void alertRulesAndRetriesHaveTheirTypesChecked() {
        assertThat(problems("""
                scripts:
                  - name: a
                    retry: { maxAttempts: 2.5, factor: fast }
                    alerts: { failed: sometimes, channels: [1] }
                """))
                .containsExactly(
                        "cronhook.yaml:3: scripts[0].retry.maxAttempts: must be a whole number",
                        "cronhook.yaml:3: scripts[0].retry.factor: must be a number",
                        "cronhook.yaml:4: scripts[0].alerts.failed: must be true or false",
                        "cronhook.yaml:4: scripts[0].alerts.channels[0]: must be a string");
    }
}

package dev.cronhook.app.cli;

import static dev.cronhook.app.cli.CliRunner.call;
import static dev.cronhook.app.cli.CliRunner.cli;
import static dev.cronhook.app.cli.CliRunner.newUser;
import static dev.cronhook.app.cli.CliRunner.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.TestPlatform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A project of three scripts with two files each, deployed with the CLI to the real platform (builder, registry on
 * 127.0.0.1:5000, Docker executor): redeploys, environments, promotion, export and import (issue 22).
 */
class CliProjectIT {
    static TestPlatform platform;
    static String admin;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        platform = CliRunner.startPlatform();
        admin = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    /** The project: greet imports a module, count reads a JSON file, shout has a dependency and a helper. */
    static Map<String, String> project() {
        var files = new HashMap<String, String>();
        files.put("cronhook.yaml", """
                secrets: [GREETING_SUFFIX]
                scripts:
                  - name: greet
                    timeoutSeconds: 20
                    memoryMb: 128
                    alerts: { consecutiveFailures: 3, lateTickSeconds: 0 }
                  - name: count
                    dir: counting
                    cron: { expression: "0 0 1 1 *", timezone: Europe/Berlin, overlapPolicy: skip }
                    retry: { maxAttempts: 3, initialDelaySeconds: 2, factor: 2 }
                    maxConcurrency: 2
                  - name: shout
                    dependencies: { ms: "2.1.3" }
                    egress: { allow: [api.github.com] }
                    secrets: [SHOUT_KEY]
                """);
        files.put("greet/index.mjs", """
                import { greeting } from "./lib/words.mjs";
                export default async function (event) {
                  return greeting(event.body?.name ?? "world");
                }
                """);
        files.put("greet/lib/words.mjs", "export const greeting = (name) => `hello ${name}`;\n");
        files.put("counting/index.mjs", """
                import { readFile } from "node:fs/promises";
                export default async function () {
                  const data = JSON.parse(await readFile(new URL("./data.json", import.meta.url), "utf8"));
                  return data.items.length;
                }
                """);
        files.put("counting/data.json", "{\"items\": [1, 2, 3]}\n");
        files.put("shout/index.mjs", """
                import ms from "ms";
                import { loud } from "./loud.mjs";
                export default async function (event) {
                  return loud(event.body?.text ?? "quiet") + " " + ms(60000);
                }
                """);
        files.put("shout/loud.mjs", "export const loud = (s) => s.toUpperCase() + \"!\";\n");
        files.put("shout/loud.test.mjs", "// left out by .cronhookignore\n");
        files.put(".cronhookignore", "*.test.mjs\n");
        return files;
    }

    static Map<String, JsonNode> byName(JsonNode deployed) {
        var out = new TreeMap<String, JsonNode>();
        for (var s : deployed.get("scripts")) out.put(s.get("name").asString(), s);
        return out;
    }

    static int versions(CliRunner.User user, JsonNode script) {
        return platform.http
                .get("/api/scripts/" + script.get("id").asString() + "/versions", user.token())
                .json()
                .size();
    }

    @Test
    void aThreeScriptProjectDeploysAndARedeployWithNothingChangedMakesNoVersion() throws IOException {
        var user = newUser(platform, admin, tmp);
        Path dir = write(tmp.resolve("project"), project());

        var first = cli(user, dir, "deploy", "--json");
        assertThat(first.exit()).as(first.toString()).isZero();
        var scripts = byName(first.json());
        assertThat(scripts.keySet()).containsExactly("count", "greet", "shout");
        for (var s : scripts.values()) {
            assertThat(s.get("created").asBoolean()).isTrue();
            assertThat(s.get("activeVersion").asInt()).isEqualTo(1);
        }
        assertThat(call(scripts.get("greet").get("webhookUrl").asString(), "{\"name\":\"Ada\"}")
                        .body())
                .isEqualTo("\"hello Ada\"");
        assertThat(call(scripts.get("count").get("webhookUrl").asString(), "{}").body())
                .isEqualTo("3");
        assertThat(call(scripts.get("shout").get("webhookUrl").asString(), "{\"text\":\"hi\"}")
                        .body())
                .isEqualTo("\"HI! 1m\"");
        var shout = platform.http
                .get("/api/scripts/" + scripts.get("shout").get("id").asString(), user.token())
                .json();
        assertThat(shout.get("files").propertyNames()).containsExactly("index.mjs", "loud.mjs");
        assertThat(first.err()).contains("warning: secret GREETING_SUFFIX is not set in dev");
        assertThat(first.err()).contains("warning: secret SHOUT_KEY (declared by shout) is not set in dev");

        var again = cli(user, dir, "deploy", "--json");
        assertThat(again.exit()).as(again.toString()).isZero();
        for (var s : byName(again.json()).values()) {
            assertThat(s.get("changed").asBoolean()).as(s.toString()).isFalse();
            assertThat(s.get("version").asInt()).isEqualTo(1);
            assertThat(versions(user, s))
                    .as("no new version of " + s.get("name"))
                    .isEqualTo(1);
        }
        var human = cli(user, dir, "deploy");
        assertThat(human.out()).contains("unchanged").doesNotContain("updated");

        Files.writeString(dir.resolve("greet/lib/words.mjs"), "export const greeting = (name) => `hi ${name}`;\n");
        var changed = cli(user, dir, "deploy", "--json");
        assertThat(changed.exit()).as(changed.toString()).isZero();
        var after = byName(changed.json());
        assertThat(after.get("greet").get("changed").asBoolean()).isTrue();
        assertThat(after.get("greet").get("activeVersion").asInt()).isEqualTo(2);
        assertThat(versions(user, after.get("greet"))).isEqualTo(2);
        assertThat(after.get("count").get("changed").asBoolean()).isFalse();
        assertThat(after.get("shout").get("changed").asBoolean()).isFalse();
        assertThat(versions(user, after.get("count"))).isEqualTo(1);
        assertThat(versions(user, after.get("shout"))).isEqualTo(1);
        assertThat(call(after.get("greet").get("webhookUrl").asString(), "{\"name\":\"Ada\"}")
                        .body())
                .isEqualTo("\"hi Ada\"");

        var tried = cli(user, dir, "try", "greet", "--event", "{\"body\":{\"name\":\"Bo\"}}");
        assertThat(tried.exit()).as(tried.toString()).isZero();
        assertThat(tried.out().strip()).isEqualTo("\"hi Bo\"");
        var triedDir = cli(user, dir, "try", "counting");
        assertThat(triedDir.out().strip()).isEqualTo("3");
    }

    @Test
    void promoteMakesDevsImageActiveInProdWithTheSameDigestAndOnlyPromoteChangesAProtectedOne() {
        var user = newUser(platform, admin, tmp);
        Path dir = write(tmp.resolve("project"), project());
        var deployed = cli(user, dir, "deploy", "--json");
        assertThat(deployed.exit()).as(deployed.toString()).isZero();

        var promoted = cli(user, dir, "promote", "--from", "dev", "--to", "prod", "--json");
        assertThat(promoted.exit()).as(promoted.toString()).isZero();
        var dev = byName(deployed.json());
        for (var p : promoted.json().get("promoted")) {
            var devScript = dev.get(p.get("name").asString());
            var devVersion = platform.http
                    .get("/api/scripts/" + devScript.get("id").asString() + "/versions", user.token())
                    .json()
                    .get(0);
            assertThat(p.get("imageDigest").asString())
                    .as("the very image dev runs")
                    .isNotBlank()
                    .isEqualTo(devVersion.get("imageDigest").asString());
            assertThat(p.get("webhookUrl").asString())
                    .isNotEqualTo(devScript.get("webhookUrl").asString());
        }
        var prodGreet = cli(user, dir, "runs", "greet", "--env", "prod");
        assertThat(prodGreet.exit()).as(prodGreet.toString()).isZero();
        String prodUrl =
                promoted.json().get("promoted").get(0).get("webhookUrl").asString();
        assertThat(call(prodUrl, "{}").statusCode()).isEqualTo(200);

        var protect = cli(user, dir, "env", "protect", "prod");
        assertThat(protect.exit()).as(protect.toString()).isZero();
        var list = cli(user, dir, "env", "list");
        assertThat(list.out()).contains("prod  (protected)").contains("dev\n");
        var refused = cli(user, dir, "deploy", "--env", "prod");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(3);
        assertThat(refused.err()).contains("protected");
        var again = cli(user, dir, "promote", "--from", "dev", "--to", "prod", "greet", "--json");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.json().get("promoted").get(0).get("changed").asBoolean())
                .isFalse();

        var staging = cli(user, dir, "env", "create", "staging");
        assertThat(staging.exit()).as(staging.toString()).isZero();
        var toStaging = cli(user, dir, "deploy", "--env", "staging", "--json");
        assertThat(toStaging.exit()).as(toStaging.toString()).isZero();
        assertThat(byName(toStaging.json()).get("greet").get("created").asBoolean())
                .isTrue();
    }

    @Test
    void exportThenImportIntoAnotherUserGivesIdenticalFilesAndSettingsWithoutSecretValues() throws IOException {
        var alice = newUser(platform, admin, tmp.resolve("alice"));
        Path dir = write(tmp.resolve("project"), project());
        assertThat(CliRunner.cli(alice.env(), dir, "very-secret-suffix-value", "secrets", "set", "GREETING_SUFFIX")
                        .exit())
                .isZero();
        var deployed = cli(alice, dir, "deploy", "--json");
        assertThat(deployed.exit()).as(deployed.toString()).isZero();
        Path exported = tmp.resolve("exported");
        var export = cli(alice, tmp, "export", exported.toString());
        assertThat(export.exit()).as(export.toString()).isZero();
        assertThat(export.out()).contains("Exported 3 scripts of dev");
        try (var walk = Files.walk(exported)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(p)).as(p.toString()).doesNotContain("very-secret-suffix-value");
            }
        }
        String yaml = Files.readString(exported.resolve("cronhook.yaml"));
        assertThat(yaml).contains("secrets:\n  - GREETING_SUFFIX");
        assertThat(exported.resolve("shout/loud.mjs")).hasContent(project().get("shout/loud.mjs"));
        assertThat(exported.resolve("count/data.json")).hasContent(project().get("counting/data.json"));
        assertThat(cli(alice, tmp, "export", exported.toString()).exit())
                .as("no overwrite")
                .isEqualTo(2);

        var bob = newUser(platform, admin, tmp.resolve("bob"));
        var imported = cli(bob, tmp, "import", exported.toString(), "--json");
        assertThat(imported.exit()).as(imported.toString()).isZero();
        assertThat(imported.err()).contains("warning: secret GREETING_SUFFIX is not set in dev");

        var aliceScripts = scripts(alice);
        var bobScripts = scripts(bob);
        assertThat(bobScripts.keySet()).isEqualTo(aliceScripts.keySet());
        for (String name : aliceScripts.keySet()) {
            assertThat(comparable(bobScripts.get(name), bob))
                    .as(name)
                    .isEqualTo(comparable(aliceScripts.get(name), alice));
        }
        // the imported project exports to the same scripts (bob has not set the secret, so it is not listed)
        Path again = tmp.resolve("again");
        assertThat(cli(bob, tmp, "export", again.toString()).exit()).isZero();
        String bobYaml = Files.readString(again.resolve("cronhook.yaml"));
        assertThat(bobYaml.substring(bobYaml.indexOf("\nscripts:")))
                .isEqualTo(yaml.substring(yaml.indexOf("\nscripts:")));
    }

    private static Map<String, JsonNode> scripts(CliRunner.User user) {
        var out = new TreeMap<String, JsonNode>();
        for (var s :
                platform.http.get("/api/scripts?environment=dev", user.token()).json()) {
            out.put(
                    s.get("name").asString(),
                    platform.http
                            .get("/api/scripts/" + s.get("id").asString(), user.token())
                            .json());
        }
        return out;
    }

    /** A script's files and settings, without what is its own (id, URL, times, versions) and with its alert rules. */
    private static JsonNode comparable(JsonNode view, CliRunner.User user) {
        var copy = (tools.jackson.databind.node.ObjectNode) view.deepCopy();
        copy.remove(List.of("id", "webhookUrl", "createdAt", "updatedAt", "activeVersion", "buildState", "version"));
        if (copy.get("cron") instanceof tools.jackson.databind.node.ObjectNode cron) {
            cron.remove(List.of("nextFireTimes", "lastFiredAt", "missedTicks", "skippedTicks"));
        }
        copy.set(
                "alerts",
                platform.http
                        .get("/api/scripts/" + view.get("id").asString() + "/alerts", user.token())
                        .json());
        return copy;
    }

    @Test
    void aScriptsOwnSecretIsExportedByNameOnly() throws IOException {
        var user = newUser(platform, admin, tmp);
        Path dir = write(tmp.resolve("project"), project());
        var deployed = cli(user, dir, "deploy", "--json");
        assertThat(deployed.exit()).as(deployed.toString()).isZero();
        var shoutId = byName(deployed.json()).get("shout").get("id").asString();
        var put = platform.http.put(
                "/api/scripts/" + shoutId + "/secrets/SHOUT_KEY", "{\"value\":\"shout-key-value-123\"}", user.token());
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        var again = cli(user, dir, "deploy");
        assertThat(again.err()).doesNotContain("SHOUT_KEY");

        Path exported = tmp.resolve("exported");
        assertThat(cli(user, tmp, "export", exported.toString()).exit()).isZero();
        String yaml = Files.readString(exported.resolve("cronhook.yaml"));
        assertThat(yaml).contains("SHOUT_KEY").doesNotContain("shout-key-value-123");
    }

    @Test
    void anUnknownEnvironmentIsNotFoundAndNamed() {
        var user = newUser(platform, admin, tmp);
        Path dir = write(tmp.resolve("project"), project());
        for (var args : List.of(
                new String[] {"deploy", "--env", "nowhere"},
                new String[] {"secrets", "list", "--env", "nowhere"},
                new String[] {"runs", "--env", "nowhere"},
                new String[] {"export", tmp.resolve("out").toString(), "--env", "nowhere"},
                new String[] {"promote", "--from", "nowhere", "--to", "prod"})) {
            var r = cli(user, dir, args);
            assertThat(r.exit()).as(String.join(" ", args) + "\n" + r).isEqualTo(4);
            assertThat(r.err()).as(String.join(" ", args)).startsWith("error: ").contains("nowhere");
        }
        assertThat(platform.http.get("/api/scripts", user.token()).json()).isEmpty();
    }
}

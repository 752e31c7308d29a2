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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code cronhook} CLI (issue 22) against the real platform: the builder bakes images and pushes them to the
 * registry on 127.0.0.1:5000, the executor runs them in Docker, try-outs run on the try-out worker. The CLI runs in
 * this JVM through its entry point, with its own streams, environment and working directory; one test runs it
 * through the {@code ./cronhook} launcher.
 */
class CliIT {
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

    @Test
    void initScaffoldsAProjectThatTriesAndDeploys() {
        var user = newUser(platform, admin, tmp);
        var init = cli(user, tmp, "init", "demo");
        assertThat(init.exit()).as(init.toString()).isZero();
        Path demo = tmp.resolve("demo");
        assertThat(demo.resolve("cronhook.yaml")).exists();
        assertThat(demo.resolve("hello/index.mjs")).exists();
        assertThat(cli(user, tmp, "init", "demo").err()).contains("exists already");

        var tried = cli(user, demo, "try", "hello", "--event", "{\"body\":{\"name\":\"Ada\"}}");
        assertThat(tried.exit()).as(tried.toString()).isZero();
        assertThat(CliRunner.JSON.readTree(tried.out()).get("hello").asString()).isEqualTo("Ada");
        assertThat(tried.err()).as("the log line, streamed").contains("called with {\"name\":\"Ada\"}");

        var deployed = cli(user, demo, "deploy", "--json");
        assertThat(deployed.exit()).as(deployed.toString()).isZero();
        var script = deployed.json().get("scripts").get(0);
        assertThat(script.get("name").asString()).isEqualTo("hello");
        assertThat(script.get("activeVersion").asInt()).isEqualTo(1);
        var answer = call(script.get("webhookUrl").asString(), "{\"name\":\"Grace\"}");
        assertThat(answer.body()).isEqualTo("{\"hello\":\"Grace\"}");
    }

    @Test
    void loginKeepsAnApiTokenOnlyTheUserCanReadAndLogoutRevokesIt() throws IOException {
        var user = newUser(platform, admin, tmp);
        var env = new HashMap<>(user.env());
        env.remove("CRONHOOK_TOKEN");
        env.remove("CRONHOOK_URL");
        String password = "password-of-" + user.name();

        var login = CliRunner.cli(
                env, tmp, password + "\n", "login", "--url", platform.baseUrl(), "--username", user.name());
        assertThat(login.exit()).as(login.toString()).isZero();
        assertThat(login.out()).contains("Logged in to " + platform.baseUrl() + " as " + user.name());
        Path config = tmp.resolve(".config/cronhook/config.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.getParent())))
                .isEqualTo("rwx------");
        String token =
                CliRunner.JSON.readTree(Files.readString(config)).get("token").asString();
        assertThat(platform.http.get("/api/tokens", token).json().findValuesAsString("kind"))
                .contains("api");

        var runs = CliRunner.cli(env, tmp, "", "runs");
        assertThat(runs.exit()).as(runs.toString()).isZero();
        assertThat(runs.out()).contains("No runs.");

        var logout = CliRunner.cli(env, tmp, "", "logout");
        assertThat(logout.exit()).as(logout.toString()).isZero();
        assertThat(config).doesNotExist();
        assertThat(platform.http.get("/api/me", token).status())
                .as("the token is revoked")
                .isEqualTo(401);

        var wrong = CliRunner.cli(
                env, tmp, "not-the-password\n", "login", "--url", platform.baseUrl(), "--username", user.name());
        assertThat(wrong.exit()).isEqualTo(3);
        assertThat(wrong.err()).startsWith("error: ");
        assertThat(config).doesNotExist();
    }

    @Test
    void withoutATokenACommandSaysHowToLogInAndARefusedTokenSaysSo() {
        var env = CliRunner.env(platform, null, tmp);
        write(tmp, Map.of("cronhook.yaml", "scripts: [{name: a}]\n", "a/index.mjs", "export default () => 1;\n"));
        var deploy = CliRunner.cli(env, tmp, "", "deploy");
        assertThat(deploy.exit()).isEqualTo(3);
        assertThat(deploy.err())
                .isEqualTo("error: not logged in: run cronhook login, or set CRONHOOK_TOKEN (and CRONHOOK_URL)\n");
        assertThat(deploy.out()).isEmpty();

        env.put("CRONHOOK_TOKEN", "not-a-token");
        var refused = CliRunner.cli(env, tmp, "", "runs");
        assertThat(refused.exit()).isEqualTo(3);
        assertThat(refused.err()).contains("the token was refused");

        env.put("CRONHOOK_URL", "http://127.0.0.1:9");
        var unreachable = CliRunner.cli(env, tmp, "", "runs");
        assertThat(unreachable.exit()).isEqualTo(5);
        assertThat(unreachable.err()).startsWith("error: cannot reach http://127.0.0.1:9");
    }

    @Test
    void aBadProjectFileIsRefusedWithItsLinesAndNothingIsCreated() {
        var user = newUser(platform, admin, tmp);
        write(tmp, Map.of("cronhook.yaml", """
                scripts:
                  - name: one
                    timeoutSeconds: soon
                  - name: two
                    cron: { timezone: Europe/Berlin }
                """, "one/index.mjs", "export default () => 1;\n"));
        var r = cli(user, tmp, "deploy");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("""
                        error: cronhook.yaml is invalid
                          cronhook.yaml:3: scripts[0].timeoutSeconds: must be a whole number, 1 or more
                          cronhook.yaml:5: scripts[1].cron: expression: is required
                        """);

        write(tmp, Map.of("cronhook.yaml", "scripts:\n  - name: one\n  - name: missing\n"));
        var noDir = cli(user, tmp, "deploy");
        assertThat(noDir.exit()).isEqualTo(2);
        assertThat(noDir.err()).isEqualTo("error: script missing: no directory " + tmp.resolve("missing") + "\n");

        var noProject = cli(user, tmp.resolve("one"), "deploy");
        assertThat(noProject.exit()).isEqualTo(2);
        assertThat(noProject.err()).contains("no cronhook.yaml in " + tmp.resolve("one"));

        var badField = cli(user, tmp, "deploy", "--wait=sometimes");
        assertThat(badField.exit()).isEqualTo(2);
        assertThat(badField.err()).contains("--wait takes no value");

        // the server's checks come back with the script and the field they are about
        write(tmp, Map.of("cronhook.yaml", "scripts: [{name: one, cron: 'not a cron'}]\n"));
        var serverSays = cli(user, tmp, "deploy");
        assertThat(serverSays.exit()).as(serverSays.toString()).isEqualTo(2);
        assertThat(serverSays.err()).startsWith("error: script one: ").contains("cron");

        assertThat(platform.http.get("/api/scripts", user.token()).json())
                .as("nothing was created")
                .isEmpty();
    }

    @Test
    void aFailedBuildEndsTheDeployWithItsLogsTail() {
        var user = newUser(platform, admin, tmp);
        write(
                tmp,
                Map.of(
                        "cronhook.yaml",
                        "scripts:\n  - name: broken\n    dependencies: { cronhook-no-such-package-22: \"1.0.0\" }\n",
                        "broken/index.mjs",
                        "export default () => 1;\n"));
        var r = cli(user, tmp, "deploy");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("broken").contains("BUILD FAILED");
        assertThat(r.err()).contains("error: build of broken v1 failed: ").contains("    | ");
    }

    @Test
    void secretsAreSetFromStdinListedByNameOnlyAndRemoved() {
        var user = newUser(platform, admin, tmp);
        var set = CliRunner.cli(user.env(), tmp, "s3cr3t-value\n", "secrets", "set", "API_KEY");
        assertThat(set.exit()).as(set.toString()).isZero();
        var list = cli(user, tmp, "secrets", "list", "--json");
        assertThat(list.exit()).isZero();
        assertThat(list.json().findValuesAsString("name")).containsExactly("API_KEY");
        assertThat(list.out()).doesNotContain("s3cr3t");

        write(
                tmp,
                Map.of(
                        "cronhook.yaml",
                        "secrets: [API_KEY]\nscripts:\n  - name: uses\n    secrets: [API_KEY, OTHER_KEY]\n",
                        "uses/index.mjs",
                        "export default () => ({ has: Boolean(process.env.API_KEY) });\n"));
        var deploy = cli(user, tmp, "deploy");
        assertThat(deploy.exit()).as(deploy.toString()).isZero();
        assertThat(deploy.err())
                .contains("warning: secret OTHER_KEY (declared by uses) is not set in dev: cronhook secrets set"
                        + " OTHER_KEY --env dev")
                .doesNotContain("secret API_KEY");

        var rm = cli(user, tmp, "secrets", "rm", "API_KEY");
        assertThat(rm.exit()).as(rm.toString()).isZero();
        assertThat(cli(user, tmp, "secrets", "list").out()).isEqualTo("No secrets in dev.\n");
        var again = cli(user, tmp, "secrets", "rm", "API_KEY");
        assertThat(again.exit()).isEqualTo(4);
        assertThat(cli(user, tmp, "secrets", "set", "2BAD", "x").exit()).isEqualTo(2);
    }

    @Test
    void runsAndLogsShowWhatADeployedScriptDid() {
        var user = newUser(platform, admin, tmp);
        write(tmp, Map.of("cronhook.yaml", "scripts:\n  - name: talker\n", "talker/index.mjs", """
                export default async function (event) {
                  console.log("to stdout", event.body.n);
                  console.error("to stderr");
                  if (event.body.fail) throw new Error("asked to fail");
                  return event.body.n * 2;
                }
                """));
        var deploy = cli(user, tmp, "deploy", "--json");
        assertThat(deploy.exit()).as(deploy.toString()).isZero();
        String url = deploy.json().get("scripts").get(0).get("webhookUrl").asString();
        assertThat(call(url, "{\"n\":21}").body()).isEqualTo("42");
        call(url, "{\"n\":1,\"fail\":true}");

        var runs = cli(user, tmp, "runs", "talker", "--json");
        assertThat(runs.exit()).as(runs.toString()).isZero();
        assertThat(runs.json().findValuesAsString("status")).containsExactly("FAILED", "SUCCEEDED");
        String succeeded = runs.json().get(1).get("id").asString();
        String failed = runs.json().get(0).get("id").asString();
        var table = cli(user, tmp, "runs");
        assertThat(table.out()).contains(succeeded).contains("talker").contains("SUCCEEDED");

        var logs = cli(user, tmp, "logs", succeeded);
        assertThat(logs.exit()).as(logs.toString()).isZero();
        assertThat(logs.out()).contains("to stdout 21");
        assertThat(logs.err()).contains("to stderr");
        var followed = cli(user, tmp, "logs", failed, "--follow");
        assertThat(followed.exit()).as("a failed run's follow ends with 1").isEqualTo(1);
        assertThat(followed.out()).contains("to stdout 1");

        var unknown = cli(user, tmp, "runs", "nope");
        assertThat(unknown.exit()).isEqualTo(4);
        assertThat(unknown.err()).isEqualTo("error: no script nope in dev\n");
        assertThat(cli(user, tmp, "logs", "00000000-0000-0000-0000-000000000000")
                        .exit())
                .isEqualTo(4);
    }

    @Test
    void aFailingTryOutExitsWithOneAndSaysWhy() {
        var user = newUser(platform, admin, tmp);
        write(tmp, Map.of("fails.mjs", "export default () => { throw new Error(\"nope\"); };\n"));
        var r = cli(user, tmp, "try", "fails.mjs");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("error: the try-out failed: ").contains("nope");
        assertThat(cli(user, tmp, "try", "missing.mjs").exit()).isEqualTo(2);
        assertThat(cli(user, tmp, "try", "fails.mjs", "--event", "[1]").err())
                .contains("--event must be a JSON object");
    }

    @Test
    void everyCommandHasHelpAndAnUnknownOneIsAUsageError() {
        for (String command : dev.cronhook.cli.Cli.COMMANDS) {
            if (command.equals("help") || command.equals("version")) continue;
            var r = CliRunner.cli(Map.of(), tmp, "", command, "--help");
            assertThat(r.exit()).as(command).isZero();
            assertThat(r.out()).as(command).startsWith("Usage: cronhook " + command);
        }
        var unknown = CliRunner.cli(Map.of(), tmp, "", "deplyo");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("error: unknown command deplyo (cronhook help lists them)\n");
    }

    /** The launcher, as a user runs it: from the project's directory, with the token from the environment. */
    @Test
    void theLauncherRunsTheCliInTheCallersDirectory() throws Exception {
        var user = newUser(platform, admin, tmp);
        Path project = write(
                tmp.resolve("project"),
                Map.of(
                        "cronhook.yaml", "scripts:\n  - name: launched\n",
                        "launched/index.mjs", "export default () => \"launched\";\n"));
        Path launcher = Path.of("").toAbsolutePath().getParent().resolve("cronhook");
        assertThat(launcher).as("run from the app module").exists();
        var command = new ArrayList<String>();
        command.add(launcher.toString());
        command.add("deploy");
        command.add("--json");
        var pb = new ProcessBuilder(command).directory(project.toFile());
        pb.environment().putAll(user.env());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path out = tmp.resolve("out");
        Path err = tmp.resolve("err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        var process = pb.start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(err)).isZero();
        var json = CliRunner.JSON.readTree(Files.readString(out));
        assertThat(call(json.get("scripts").get(0).get("webhookUrl").asString(), "{}")
                        .body())
                .isEqualTo("\"launched\"");
    }
}

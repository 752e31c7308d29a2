package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.Outcome;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptFiles;
import dev.cronhook.executor.runtime.ScriptRuntimeContract.Logs;
import dev.cronhook.executor.runtime.TestScripts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code without an image (a try-out) in blank sandboxes on the real engine: started ahead of time, given the code
 * (and its node_modules, read-only) before their one call, and removed after it.
 */
class DockerBlankSandboxIT {
    static final String OWNER = "it-blank-" + UUID.randomUUID();
    static DockerClient docker;
    static String image;

    @TempDir
    Path sockets;

    @TempDir
    Path cache;

    DockerScriptRuntime runtime;

    @BeforeAll
    static void buildImage() {
        docker = TestEngine.client();
        image = TestScripts.image();
    }

    @BeforeEach
    void startRuntime() {
        runtime = new DockerScriptRuntime(
                docker,
                "none",
                OWNER,
                RuntimeLimits.defaults(),
                HarnessScriptRuntime.WarmSettings.defaults(),
                sockets,
                DockerScriptRuntime.OCI_AUTO);
        runtime.blankImage(image);
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
        runtime.removeLeftovers();
    }

    private static Invocation invocation() {
        return new Invocation(
                UUID.randomUUID(),
                UUID.randomUUID(),
                1,
                image,
                TriggerKind.TRY_OUT,
                "{\"body\":{\"name\":\"ada\"}}",
                Duration.ofSeconds(20),
                128,
                Map.of(),
                new Cancellation());
    }

    private Outcome runOnce(String code, Path nodeModules, Logs logs) {
        var files = new ScriptFiles(
                Map.of("script.mjs", code.getBytes(StandardCharsets.UTF_8), "package.json", "{}".getBytes()),
                nodeModules);
        return runtime.runOnce(invocation(), files, logs);
    }

    @Test
    void codeRunsInABlankSandboxStartedAheadOfTimeWhichIsRemovedAfterItsOneCall() {
        runtime.keepBlanksReady(128, 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.blanksReady(128) == 1);
        var logs = new Logs();

        var outcome = runOnce(
                "export default async (event) => { console.log('hi', event.body.name); return {hello: event.body.name}; }",
                null,
                logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(Wire.json().readTree(outcome.resultJson()).get("hello").asString())
                .isEqualTo("ada");
        assertThat(logs.all()).containsExactly("hi ada");
        assertThat(outcome.warm()).isFalse();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(exists(outcome.sandboxId()))
                .as("the used sandbox is removed")
                .isFalse());
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.blanksReady(128) == 1);
    }

    @Test
    void aBlankSandboxServesOneCallAndNeverSeesTheCodeOfAnother() {
        runtime.keepBlanksReady(128, 1);
        var first = runOnce(
                "import fs from 'node:fs'; export default () => { fs.writeFileSync('/tmp/mine', 'first'); return 1; }",
                null,
                new Logs());
        var second = runOnce(
                "import fs from 'node:fs'; export default () => fs.existsSync('/tmp/mine')"
                        + " || fs.readdirSync('/run/cronhook/code').join(',');",
                null,
                new Logs());

        assertThat(first.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(second.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(second.sandboxId()).isNotEqualTo(first.sandboxId());
        assertThat(second.resultJson()).isEqualTo("\"package.json,script.mjs\"");
    }

    @Test
    void dependenciesAreLinkedInAndReadOnly() throws IOException {
        Path modules = cache.resolve("lockfile-hash/node_modules");
        Files.createDirectories(modules.resolve("greet"));
        Files.writeString(modules.resolve("greet/package.json"), "{\"name\":\"greet\",\"main\":\"index.js\"}");
        Files.writeString(modules.resolve("greet/index.js"), "module.exports = (n) => 'hello ' + n;");
        Files.writeString(cache.resolve("lockfile-hash/other-users-file"), "not for the sandbox");

        var outcome = runOnce("""
                import greet from 'greet';
                import fs from 'node:fs';
                export default (event) => {
                  let write;
                  try { fs.writeFileSync(new URL('./node_modules/greet/index.js', import.meta.url), 'x'); write = 'written'; }
                  catch (e) { write = e.code; }
                  return { greeting: greet(event.body.name), write, modules: fs.readdirSync('/run/cronhook/code/node_modules'),
                    cache: fs.existsSync(event.cache) };
                };
                """.replace("event.cache", "'" + cache + "'"), modules, new Logs());

        assertThat(outcome.status()).as(outcome.error()).isEqualTo(RunStatus.SUCCEEDED);
        var result = Wire.json().readTree(outcome.resultJson());
        assertThat(result.get("greeting").asString()).isEqualTo("hello ada");
        assertThat(result.get("write").asString()).isIn("EROFS", "EACCES");
        assertThat(result.get("modules").toString()).isEqualTo("[\"greet\"]");
        assertThat(result.get("cache").asBoolean())
                .as("the cache's own directory is not in the sandbox")
                .isFalse();
        assertThat(Files.readString(modules.resolve("greet/index.js"))).contains("hello");
    }

    @Test
    void codeWithDependenciesFindsABlankStartedForItsTreeWithItsPackagesLoadedAhead() throws IOException {
        Path modules = cache.resolve("another-lockfile/node_modules");
        Files.createDirectories(modules.resolve("counted"));
        Files.writeString(modules.resolve("counted/package.json"), "{\"name\":\"counted\",\"main\":\"index.js\"}");
        Files.writeString(
                modules.resolve("counted/index.js"),
                "globalThis.countedLoads = (globalThis.countedLoads ?? 0) + 1; module.exports = () => 'counted';");
        String code = """
                export default async () => {
                  const loadedBefore = globalThis.countedLoads ?? 0;
                  const counted = (await import('counted')).default;
                  return { loadedBefore, loads: globalThis.countedLoads, value: counted() };
                };
                """;
        var files = new ScriptFiles(
                Map.of("script.mjs", code.getBytes(StandardCharsets.UTF_8), "package.json", "{}".getBytes()),
                modules,
                java.util.List.of("counted"));

        var first = runtime.runOnce(invocation(), files, new Logs());
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.blanksReady(128, files) == 1);
        var second = runtime.runOnce(invocation(), files, new Logs());

        assertThat(first.status()).as(first.error()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(Wire.json().readTree(first.resultJson()).get("loadedBefore").asInt())
                .as("a plain blank: the code's import loads the package")
                .isZero();
        assertThat(second.status()).as(second.error()).isEqualTo(RunStatus.SUCCEEDED);
        var result = Wire.json().readTree(second.resultJson());
        assertThat(result.get("loadedBefore").asInt())
                .as("loaded once, ahead of the code")
                .isEqualTo(1);
        assertThat(result.get("loads").asInt())
                .as("and not again by the code's import")
                .isEqualTo(1);
        assertThat(result.get("value").asString()).isEqualTo("counted");
        assertThat(second.sandboxId()).isNotEqualTo(first.sandboxId());
    }

    @Test
    void codeThatDoesNotLoadFailsTheRunSayingWhy() {
        var logs = new Logs();

        var outcome = runOnce("export default () => { this is not javascript }", null, logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.error()).startsWith("script failed to load");
        assertThat(String.join("\n", logs.all())).contains("SyntaxError");
    }

    private static boolean exists(String containerId) {
        try {
            docker.inspectContainerCmd(containerId).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }
}

package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.cronhook.core.build.CodeHandoff;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.Outcome;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntimeContract.Logs;
import dev.cronhook.executor.runtime.TestScripts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sandboxes shared by one tenant's scripts, on the real engine: a few warm containers serve many script versions,
 * each placed into a container on its first call there; two tenants never share one; a call's secrets stay with it;
 * a call over its time or memory fails alone.
 */
class DockerSharedSandboxIT {
    static final String OWNER = "it-shared-" + UUID.randomUUID();
    static DockerClient docker;
    static String hello;
    static String other;
    static String secret;
    static String spin;
    static String hog;
    static String leaver;
    static String keeper;

    @TempDir
    Path sockets;

    DockerScriptRuntime runtime;

    @BeforeAll
    static void buildImages() {
        docker = TestEngine.client();
        hello = TestScripts.imageWithScript("import fs from 'node:fs';\n"
                + "export default async (event, ctx) => ({hello: event.body?.name ?? null, script: 'hello',"
                + " code: fs.readdirSync('/run/cronhook/code').filter((d) => d !== 'script.mjs').length,"
                + " token: process.env.TOKEN ?? null});\n");
        other = TestScripts.imageWithScript("import fs from 'node:fs';\n"
                + "export default async () => ({script: 'other', token: process.env.TOKEN ?? null,"
                + " leaked: Object.values(process.env).some((v) => String(v).includes('s3cret')),"
                + " code: fs.readdirSync('/run/cronhook/code').length});\n");
        secret = TestScripts.imageWithScript(
                "export default async () => ({script: 'secret', token: process.env.TOKEN ?? null});\n");
        spin = TestScripts.imageWithScript("export default async () => { for (;;) {} };\n");
        hog = TestScripts.imageWithScript("export default async () => { const keep = [];"
                + " for (;;) keep.push(Buffer.alloc(1024 * 1024, 1)); };\n");
        leaver = TestScripts.imageWithScript("import { spawn } from 'node:child_process';\n"
                + "export default async () => { spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'],"
                + " {detached: true, stdio: 'ignore'}).unref(); return 'left'; };\n");
        keeper = TestScripts.imageWithScript("export default async () => {"
                + " globalThis.kept = new Array(7_000_000).fill(1); return 'kept'; };\n");
    }

    @AfterAll
    static void removeLeftovers() {
        TestEngine.removeContainersOf(docker, OWNER);
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
        runtime.shareSandboxes(true);
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
        runtime.removeLeftovers();
    }

    private static Invocation call(String image, String tenant, Map<String, String> env, Duration timeout) {
        return call(image, tenant, env, timeout, 64);
    }

    private static Invocation call(
            String image, String tenant, Map<String, String> env, Duration timeout, int memoryMb) {
        return new Invocation(
                        UUID.randomUUID(),
                        UUID.nameUUIDFromBytes(image.getBytes()),
                        1,
                        image,
                        TriggerKind.WEBHOOK,
                        "{\"body\":{\"name\":\"ada\"}}",
                        timeout,
                        memoryMb,
                        env,
                        new Cancellation())
                .withTenant(tenant);
    }

    private Outcome run(String image, String tenant) {
        return runtime.run(call(image, tenant, Map.of(), Duration.ofSeconds(20)), new Logs());
    }

    private static tools.jackson.databind.JsonNode result(Outcome outcome) {
        assertThat(outcome.status()).as(String.valueOf(outcome.error())).isEqualTo(RunStatus.SUCCEEDED);
        return Wire.json().readTree(outcome.resultJson());
    }

    @Test
    void aTenantsScriptsShareOneWarmContainerAndEachRunsItsOwnCode() {
        var first = run(hello, "alice/dev");
        var second = run(other, "alice/dev");
        var again = run(hello, "alice/dev");

        assertThat(result(first).get("script").asString()).isEqualTo("hello");
        assertThat(result(first).get("hello").asString()).isEqualTo("ada");
        assertThat(result(second).get("script").asString()).isEqualTo("other");
        assertThat(result(again).get("script").asString()).isEqualTo("hello");
        assertThat(second.sandboxId()).isEqualTo(first.sandboxId());
        assertThat(again.sandboxId()).isEqualTo(first.sandboxId());
        assertThat(first.warm()).isFalse();
        assertThat(second.warm())
                .as("a version new to the container is a cold call")
                .isFalse();
        assertThat(again.warm()).isTrue();
        assertThat(result(again).get("code").asInt())
                .as("both versions' code is in the container")
                .isEqualTo(2);
        assertThat(runtime.sharedCount()).isEqualTo(1);
    }

    @Test
    void aVersionsCodeTheBuilderLeftForItsImageIsLinkedFromThereNotReadOutOfTheImage(@TempDir Path left)
            throws Exception {
        var handoff = new CodeHandoff(left);
        runtime.codeHandoff(handoff);
        // what is left differs from the image on purpose: the answer says which one ran
        handoff.publish(docker.inspectImageCmd(secret).exec().getId(), into -> {
            Files.writeString(into.resolve("package.json"), "{}");
            Files.writeString(
                    into.resolve(Harness.SCRIPT_FILE_NAME),
                    "export default async () => ({script: 'left by the builder'});\n");
        });
        handoff.publish(
                "sha256:" + "0".repeat(64),
                into -> Files.writeString(
                        into.resolve(Harness.SCRIPT_FILE_NAME), "export default async () => 'another image';\n"));

        var code = handoff.of(docker.inspectImageCmd(secret).exec().getId()).orElseThrow();
        var longAgo = java.time.Instant.now().minus(java.time.Duration.ofDays(30));
        Files.setLastModifiedTime(code, java.nio.file.attribute.FileTime.from(longAgo));

        assertThat(result(run(secret, "erin/dev")).get("script").asString()).isEqualTo("left by the builder");
        assertThat(Files.getLastModifiedTime(code).toInstant())
                .as("taking it counts as a use: the handoff's pruning counts from here")
                .isAfter(longAgo.plus(java.time.Duration.ofDays(29)));
        assertThat(result(run(other, "erin/dev")).get("script").asString())
                .as("an image nothing was left for is read out of the image")
                .isEqualTo("other");
    }

    @Test
    void aSandboxNeverServesTwoTenants() {
        var alice = run(hello, "alice/dev");
        var bob = run(other, "bob/dev");
        var alicesProd = run(hello, "alice/prod");

        assertThat(bob.sandboxId()).isNotEqualTo(alice.sandboxId());
        assertThat(alicesProd.sandboxId())
                .as("another environment of the same user is another tenant")
                .isNotEqualTo(alice.sandboxId());
        assertThat(result(bob).get("code").asInt())
                .as("bob's container holds bob's code only")
                .isEqualTo(1);
    }

    @Test
    void aScriptsSecretsNeverReachAnotherScriptsCall() {
        var withSecret =
                runtime.run(call(secret, "alice/dev", Map.of("TOKEN", "s3cret"), Duration.ofSeconds(20)), new Logs());
        var next = run(other, "alice/dev");

        assertThat(result(withSecret).get("token").asString()).isEqualTo("s3cret");
        assertThat(next.sandboxId()).as("the same container served both").isEqualTo(withSecret.sandboxId());
        assertThat(result(next).get("token").isNull()).isTrue();
        assertThat(result(next).get("leaked").asBoolean()).isFalse();
    }

    @Test
    void aCallOverItsTimeOrMemoryFailsAloneAndItsNeighboursGoOn() {
        run(hello, "alice/dev");
        var spinning = runtime.runAsync(call(spin, "alice/dev", Map.of(), Duration.ofSeconds(3)), new Logs());
        var hogging = runtime.runAsync(call(hog, "alice/dev", Map.of(), Duration.ofSeconds(30)), new Logs());
        var neighbours = new ArrayList<CompletableFuture<Outcome>>();
        for (int i = 0; i < 6; i++) {
            neighbours.add(runtime.runAsync(call(hello, "alice/dev", Map.of(), Duration.ofSeconds(20)), new Logs()));
        }

        assertThat(spinning.join().status()).isEqualTo(RunStatus.TIMED_OUT);
        var hogged = hogging.join();
        assertThat(hogged.status()).isEqualTo(RunStatus.FAILED);
        assertThat(hogged.error()).containsIgnoringCase("memory");
        for (var neighbour : neighbours) {
            assertThat(result(neighbour.join()).get("script").asString()).isEqualTo("hello");
        }
        assertThat(result(run(hello, "alice/dev")).get("script").asString())
                .as("the tenant is served after both failed")
                .isEqualTo("hello");
    }

    @Test
    void aNewTenantsFirstCallTakesABlankContainerStartedAheadAndAnotherIsStartedForTheNext() {
        runtime.blankImage(TestScripts.image());
        runtime.keepBlanksReady(64, 1);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runtime.blanksReady(64) == 1);
        var before = containerIds();

        var first = run(hello, "carol/dev");

        assertThat(result(first).get("script").asString()).isEqualTo("hello");
        assertThat(before).as("the call ran in a container started before it").contains(first.sandboxId());
        assertThat(result(first).get("code").asInt())
                .as("the blank holds the tenant's code only")
                .isEqualTo(1);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runtime.blanksReady(64) == 1);
        var nextBlank = containerIds();
        nextBlank.removeAll(before);

        var dave = run(other, "dave/dev");

        assertThat(dave.sandboxId())
                .as("another tenant gets the next blank, never carol's container")
                .isNotEqualTo(first.sandboxId())
                .isIn(nextBlank);
        assertThat(run(hello, "carol/dev").sandboxId())
                .as("carol's container stays carol's")
                .isEqualTo(first.sandboxId());
    }

    private static java.util.Set<String> containerIds() {
        var ids = new java.util.HashSet<String>();
        for (var c : docker.listContainersCmd()
                .withLabelFilter(Map.of(DockerScriptRuntime.LABEL, OWNER))
                .exec()) {
            ids.add(c.getId());
        }
        return ids;
    }

    @Test
    void idleSharedContainersAreKeptByTheMemoryTheyHold() {
        runtime.close();
        // a warm container holds ~8 MiB charged to its cgroup (measured): 40 MiB keeps 3 to 5 of them, where the
        // nominal 16 MiB counted for a sandbox that cannot say would keep 2, and a count of 4,096 all 6
        long budget = 40L << 20;
        runtime = new DockerScriptRuntime(
                docker,
                "none",
                OWNER,
                RuntimeLimits.defaults(),
                new HarnessScriptRuntime.WarmSettings(32, Duration.ofMinutes(5), 8, 4096, 16, 1024, budget),
                sockets,
                DockerScriptRuntime.OCI_AUTO);
        runtime.shareSandboxes(true);
        String last = null;
        for (int i = 0; i < 6; i++) {
            last = "user-" + i + "/dev";
            result(run(hello, last));
            assertThat(runtime.sharedIdleBytes())
                    .as("what the idle containers hold, read from their cgroups, within the budget")
                    .isLessThanOrEqualTo(budget);
        }

        assertThat(runtime.sharedCount())
                .as("idle containers kept by what each holds")
                .isBetween(3, 5);
        assertThat(run(hello, last).warm())
                .as("the most recently used tenant is still warm")
                .isTrue();
    }

    @Test
    void aContainerAScriptLeftAProcessInIsNotReusedForTheTenantsNextCall() {
        var left = run(leaver, "alice/dev");
        var next = run(hello, "alice/dev");

        assertThat(result(left).asString()).isEqualTo("left");
        assertThat(result(next).get("script").asString()).isEqualTo("hello");
        assertThat(next.sandboxId()).isNotEqualTo(left.sandboxId());
    }

    @Test
    void aSharedContainerWhoseHeapHoldsMoreThanHalfIsNotReused() {
        var heavy = runtime.run(call(keeper, "alice/dev", Map.of(), Duration.ofSeconds(20), 128), new Logs());
        var next = runtime.run(call(hello, "alice/dev", Map.of(), Duration.ofSeconds(20), 128), new Logs());
        var after = runtime.run(call(hello, "alice/dev", Map.of(), Duration.ofSeconds(20), 128), new Logs());

        assertThat(result(heavy).asString()).isEqualTo("kept");
        assertThat(next.sandboxId()).isNotEqualTo(heavy.sandboxId());
        assertThat(after.sandboxId()).as("a light one serves on").isEqualTo(next.sandboxId());
    }
}

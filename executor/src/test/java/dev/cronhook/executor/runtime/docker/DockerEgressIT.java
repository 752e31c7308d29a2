package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.egress.EgressProxy;
import dev.cronhook.executor.runtime.EgressContract;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptFiles;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.ScriptRuntimeContract;
import dev.cronhook.executor.runtime.TenantCalls;
import dev.cronhook.executor.runtime.TestScripts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The egress contract in Docker containers (network none), and the common npm clients in a blank sandbox. */
class DockerEgressIT extends EgressContract {
    static final String OWNER = "it-egress-" + UUID.randomUUID();
    static DockerClient docker;
    static String image;

    /**
     * Not a {@code @TempDir}: a blank sandbox started in the background for the npm test's dependency tree may still be
     * putting its files here when the test ends, and JUnit's clean-up of a temporary directory fails on that.
     */
    static Path sockets;

    @BeforeAll
    static void buildImage() throws IOException {
        docker = TestEngine.client();
        image = TestScripts.image();
        sockets = Files.createTempDirectory("cronhook-egress-it");
    }

    @AfterAll
    static void removeLeftovers() {
        TestEngine.removeContainersOf(docker, OWNER);
        // best effort: what the runtime's own clean-up is still removing may vanish under the walk
        try (var paths = Files.walk(sockets)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // left in the temporary directory
        }
    }

    /** Whether every call goes to sandboxes shared by one tenant (the scripts of a test take turns in one). */
    protected boolean shared() {
        return false;
    }

    private DockerScriptRuntime docker() {
        return (DockerScriptRuntime) (runtime instanceof TenantCalls calls ? calls.runtime() : runtime);
    }

    @Override
    protected ScriptRuntime newRuntime(EgressProxy proxy) {
        var docker = new DockerScriptRuntime(
                DockerEgressIT.docker,
                "none",
                OWNER,
                RuntimeLimits.defaults(),
                HarnessScriptRuntime.WarmSettings.defaults(),
                sockets);
        docker.egressProxy(proxy);
        if (!shared()) return docker;
        docker.shareSandboxes(true);
        return new TenantCalls(docker, "one-tenant");
    }

    @Override
    protected String image() {
        return image;
    }

    @Test
    void axiosNodeFetchAndGotGoThroughTheProxyWithNoChangeToTheirCode() throws Exception {
        Path project = Files.createDirectories(keys.resolve("clients"));
        Files.writeString(project.resolve("package.json"), "{\"name\":\"clients\",\"version\":\"1.0.0\"}");
        exec(
                project,
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "axios@1",
                "node-fetch@3",
                "got@14");
        String code = """
                import axios from "axios";
                import fetch from "node-fetch";
                import got from "got";
                export default async function (event) {
                  const out = {
                    axios: (await axios.get(event.url)).data,
                    nodeFetch: await (await fetch(event.url)).text(),
                    got: await got(event.url).text(),
                    gotTls: await got(event.secureUrl).text(),
                  };
                  const tries = {
                    axios: () => axios.get(event.blocked),
                    nodeFetch: () => fetch(event.blocked),
                    got: () => got(event.blocked, { retry: { limit: 0 } }),
                  };
                  for (const [name, attempt] of Object.entries(tries)) {
                    try {
                      await attempt();
                      out[name + "Blocked"] = "reached";
                    } catch (e) {
                      out[name + "Blocked"] = String(e?.message) + " / " + String(e?.cause?.message ?? "");
                    }
                  }
                  return out;
                }
                """;
        var docker = docker();
        docker.blankImage(image);
        var event = Map.of(
                "url", "http://" + HOST + "/hello",
                "secureUrl", "https://" + HOST + "/hello",
                "blocked", "http://other.example.test/");
        var invocation = new Invocation(
                UUID.randomUUID(),
                scriptId,
                0,
                image,
                TriggerKind.TRY_OUT,
                Wire.json().writeValueAsString(event),
                Duration.ofSeconds(60),
                128,
                Map.of(),
                null,
                EgressPolicy.of(List.of(HOST)));
        var files = new ScriptFiles(
                Map.of(Harness.SCRIPT_FILE_NAME, code.getBytes(StandardCharsets.UTF_8)),
                project.resolve("node_modules"));

        var result = succeeded(docker.runOnce(invocation, files, new ScriptRuntimeContract.Logs()));

        assertThat(result.get("axios").asString()).isEqualTo("hello from upstream");
        assertThat(result.get("nodeFetch").asString()).isEqualTo("hello from upstream");
        assertThat(result.get("got").asString()).isEqualTo("hello from upstream");
        assertThat(result.get("gotTls").asString()).isEqualTo("hello over TLS");
        for (String client : List.of("axiosBlocked", "nodeFetchBlocked", "gotBlocked")) {
            assertThat(result.get(client).asString())
                    .as(client)
                    .contains("egress to other.example.test:80 blocked: not in this script's allow-list");
        }
    }
}

package dev.cronhook.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class CredentialsTest {
    @TempDir
    Path dir;

    private StandardEnvironment environmentWith(Map<String, Object> settings) {
        var env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", settings));
        return env;
    }

    @Test
    void aFileOfNameValueLinesStandsForTheEnvironmentAndTheLaunchersIsDeleted() throws Exception {
        Path file = Files.writeString(
                dir.resolve("credentials"),
                "# given by the launcher\nCRONHOOK_ADMIN_PASSWORD=p=with=equals\nCRONHOOK_EXECUTOR_API_URL=http://x:8081\n");
        var env = environmentWith(
                Map.of("CRONHOOK_CREDENTIALS_FILE", file.toString(), "CRONHOOK_CREDENTIALS_FILE_DELETE", "true"));

        Credentials.load(env, LogFactory.getLog(CredentialsTest.class));

        assertThat(env.getProperty("CRONHOOK_ADMIN_PASSWORD")).isEqualTo("p=with=equals");
        assertThat(env.getProperty("cronhook.executor.api-url"))
                .as("bound as an environment variable is")
                .isEqualTo("http://x:8081");
        assertThat(file).doesNotExist();
    }

    @Test
    void aDirectoryAsAMountedSecretGivesOneVariablePerFileAndIsKept() throws Exception {
        Files.writeString(dir.resolve("CRONHOOK_INTERNAL_TOKEN"), "worker-token\n");
        Files.createDirectory(dir.resolve("..data"));
        var env = environmentWith(
                Map.of("CRONHOOK_CREDENTIALS_FILE", dir.toString(), "CRONHOOK_CREDENTIALS_FILE_DELETE", "true"));

        Credentials.load(env, LogFactory.getLog(CredentialsTest.class));

        assertThat(env.getProperty("CRONHOOK_INTERNAL_TOKEN")).isEqualTo("worker-token");
        assertThat(dir.resolve("CRONHOOK_INTERNAL_TOKEN")).exists();
    }
}

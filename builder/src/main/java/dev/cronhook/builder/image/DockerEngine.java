package dev.cronhook.builder.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Whether a Docker engine answers through the {@code docker} CLI (which jib's daemon target uses). */
public final class DockerEngine {
    private DockerEngine() {}

    public static boolean isReachable(Path dockerExecutable) {
        try {
            var process = new ProcessBuilder(dockerExecutable.toString(), "version", "--format", "{{.Server.Version}}")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

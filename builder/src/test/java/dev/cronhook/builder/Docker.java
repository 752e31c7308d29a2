package dev.cronhook.builder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Runs the docker CLI in tests: what an operator would type. */
public final class Docker {
    private Docker() {}

    public record Result(int exit, String out) {}

    /** Images the tests pulled, ran or loaded: removed afterwards, the engine is shared with other suites. */
    private static final Set<String> used = ConcurrentHashMap.newKeySet();

    public static void removeImagesUsed() throws IOException, InterruptedException {
        for (String image : used) run("rmi", "-f", image);
        used.clear();
    }

    public static Result run(String... args) throws IOException, InterruptedException {
        if (args.length > 1 && args[0].equals("pull")) used.add(args[1]);
        var command = new ArrayList<String>(List.of("docker"));
        command.addAll(List.of(args));
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("docker " + String.join(" ", args) + " did not finish");
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs an image as the executor would: no network, read-only root filesystem, the image's user. */
    public static Result runIsolated(String image, String... command) throws IOException, InterruptedException {
        used.add(image);
        var args = new ArrayList<String>(List.of(
                "run", "--rm", "--network", "none", "--read-only", "--cap-drop", "ALL", "--entrypoint", command[0]));
        args.add(image);
        args.addAll(List.of(command).subList(1, command.length));
        return run(args.toArray(String[]::new));
    }
}

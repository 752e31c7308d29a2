package dev.cronhook.app.embedded;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one embedded server running: when its process exits without having been asked to (a crash, a kill -9, the
 * OOM killer), it is started again on the same data and the same port, so the clients' own reconnection finds it,
 * with a growing pause between failed tries.
 */
final class Supervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(10);

    /** Starts the server and returns once it answers. */
    @FunctionalInterface
    interface Launch {
        Process start() throws IOException;
    }

    /** Waits until a process just started answers. */
    @FunctionalInterface
    interface ReadyCheck {
        void await(Process process) throws IOException;
    }

    /** The process once {@code check} says it answers; killed when it does not. */
    static Process whenReady(Process process, ReadyCheck check) throws IOException {
        try {
            check.await(process);
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        return process;
    }

    private final String name;
    private final Launch launch;
    private final Thread watcher;
    private volatile Process process;
    private volatile boolean closing;

    Supervisor(String name, Launch launch) throws IOException {
        this.name = name;
        this.launch = launch;
        this.process = launch.start();
        this.watcher = Thread.ofVirtual().name("supervise-" + name).start(this::watch);
    }

    private void watch() {
        while (!closing) {
            int code;
            try {
                code = process.waitFor();
            } catch (InterruptedException e) {
                return;
            }
            if (closing) return;
            log.warn("{} exited unexpectedly (code {}): starting it again on the same data and port", name, code);
            Duration pause = FIRST_PAUSE;
            while (!closing) {
                try {
                    process = launch.start();
                    log.info("{} is up again", name);
                    break;
                } catch (IOException | RuntimeException e) {
                    log.warn("{} did not start again: {}; next try in {} ms", name, e.getMessage(), pause.toMillis());
                    try {
                        Thread.sleep(pause);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                    pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
                }
            }
        }
    }

    /** The server's current process. */
    Process process() {
        return process;
    }

    /** Stops watching (the caller then stops the process). */
    @Override
    public void close() {
        closing = true;
        watcher.interrupt();
    }
}

package dev.cronhook.executor.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.cronhook.executor.runtime.Sandbox;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/** One container running the harness, attached before it started. */
final class DockerSandbox implements Sandbox {
    private final DockerClient docker;
    private final String containerId;
    private final StdinStream stdin;
    private volatile Closeable attachment;
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private volatile boolean killed;

    DockerSandbox(DockerClient docker, String containerId, StdinStream stdin) {
        this.docker = docker;
        this.containerId = containerId;
        this.stdin = stdin;
    }

    void attachment(Closeable attachment) {
        this.attachment = attachment;
    }

    @Override
    public String id() {
        return containerId;
    }

    @Override
    public void send(byte[] frame) throws IOException {
        if (destroyed.get() || killed) throw new IOException("container " + shortId() + " is gone");
        stdin.offer(frame);
    }

    @Override
    public void kill() {
        if (killed) return;
        killed = true;
        try {
            docker.killContainerCmd(containerId).exec();
        } catch (NotFoundException | ConflictException e) {
            // already stopped or removed
        }
    }

    @Override
    public ExitStatus exitStatus() {
        try {
            var state = docker.inspectContainerCmd(containerId).exec().getState();
            Long code = state.getExitCodeLong();
            return new ExitStatus(code == null ? -1 : code, Boolean.TRUE.equals(state.getOOMKilled()), false);
        } catch (NotFoundException e) {
            return new ExitStatus(-1, false, false);
        }
    }

    @Override
    public void destroy() {
        if (!destroyed.compareAndSet(false, true)) return;
        stdin.close();
        try {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        } catch (NotFoundException | ConflictException e) {
            // gone already, or removal already in progress
        }
        try {
            if (attachment != null) attachment.close();
        } catch (IOException ignored) {
            // the stream is gone with its container
        }
    }

    private String shortId() {
        return containerId.substring(0, Math.min(12, containerId.length()));
    }
}

package dev.cronhook.executor.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.ImageUnavailableException;
import dev.cronhook.executor.runtime.LogStream;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.Sandbox;
import dev.cronhook.executor.runtime.SandboxSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scripts in Docker containers of their images: non-root, read-only root file system, a small tmpfs /tmp, no
 * capabilities, no-new-privileges, a pids limit, the script's memory (no swap) and a CPU quota, on the configured
 * network ({@code none} by default). Containers stay warm between invocations of one script version.
 */
public final class DockerScriptRuntime extends HarnessScriptRuntime {
    private static final Logger log = LoggerFactory.getLogger(DockerScriptRuntime.class);
    /** Label on every container this runtime starts, so leftovers can be found. */
    public static final String LABEL = "dev.cronhook.executor";

    private static final String USER = "65532:65532";
    // this engine ignores a tmpfs mode, so /tmp is given to the script user outright

    private final DockerClient docker;
    private final String network;
    private final String owner;
    private final Set<String> present = ConcurrentHashMap.newKeySet();

    public DockerScriptRuntime(
            DockerClient docker, String network, String owner, RuntimeLimits limits, WarmSettings warm) {
        super(limits, warm);
        this.docker = docker;
        this.network = network == null || network.isBlank() ? "none" : network;
        this.owner = owner;
    }

    /** A docker-java client over the zerodep transport for {@code dockerHost} (e.g. unix:///var/run/docker.sock). */
    public static DockerClient client(String dockerHost) {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .build();
        var http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(1024)
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    /** Whether an engine answers at {@code docker}. */
    public static boolean reachable(DockerClient docker) {
        try {
            docker.pingCmd().exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    protected Sandbox start(SandboxSpec spec, Sandbox.SandboxOutput output) throws Exception {
        if (spec.image().startsWith("bundle:")) {
            throw new ImageUnavailableException("the Docker runtime runs images, not bundles: " + spec.image(), null);
        }
        long t0 = System.nanoTime();
        ensureImage(spec.image());
        long memory = spec.memoryMb() * 1024L * 1024L;
        // V8 fails cleanly (and says so) before the cgroup kills it, when the heap is what grows
        int heapMb = Math.max(16, spec.memoryMb() * 3 / 4);
        var host = HostConfig.newHostConfig()
                .withMemory(memory)
                .withMemorySwap(memory)
                .withNanoCPUs((long) (limits.cpus() * 1_000_000_000L))
                .withPidsLimit((long) limits.pidsLimit())
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of(
                        "/tmp", "rw,nosuid,nodev,noexec,uid=65532,gid=65532,mode=1777,size=" + limits.tmpMb() + "m"))
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withNetworkMode(network)
                .withInit(false);
        var create = docker.createContainerCmd(spec.image())
                .withUser(USER)
                .withWorkingDir(Harness.APP_DIR)
                .withEnv("NODE_OPTIONS=--max-old-space-size=" + heapMb, "HOME=/tmp", "TMPDIR=/tmp")
                .withLabels(Map.of(
                        LABEL,
                        owner,
                        LABEL + ".script",
                        spec.scriptId().toString(),
                        LABEL + ".version",
                        String.valueOf(spec.version())))
                .withAttachStdin(true)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withStdinOpen(true)
                .withStdInOnce(false)
                .withTty(false)
                .withHostConfig(host);
        CreateContainerResponse response;
        try {
            response = create.exec();
        } catch (NotFoundException e) {
            // removed since we last looked: fetch it again, once
            present.remove(spec.image());
            ensureImage(spec.image());
            response = create.exec();
        }
        var created = response;
        long t1 = System.nanoTime();
        var stdin = new StdinStream();
        var sandbox = new DockerSandbox(docker, created.getId(), stdin);
        try {
            var attached = docker.attachContainerCmd(created.getId())
                    .withStdIn(stdin)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withFollowStream(true)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            var stream =
                                    frame.getStreamType() == StreamType.STDERR ? LogStream.STDERR : LogStream.STDOUT;
                            byte[] payload = frame.getPayload();
                            output.output(stream, payload, 0, payload.length);
                        }

                        @Override
                        public void onError(Throwable throwable) {
                            log.debug("attach to {} ended: {}", created.getId(), throwable.toString());
                            output.ended();
                        }

                        @Override
                        public void onComplete() {
                            output.ended();
                        }
                    });
            sandbox.attachment(attached);
            if (!attached.awaitStarted(limits.startTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("attaching to the container took too long");
            }
            long t2 = System.nanoTime();
            docker.startContainerCmd(created.getId()).exec();
            if (log.isDebugEnabled()) {
                log.debug(
                        "container {} for {}: image+create {} ms, attach {} ms, start {} ms",
                        created.getId().substring(0, 12),
                        spec.image(),
                        (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000,
                        (System.nanoTime() - t2) / 1_000_000);
            }
            return sandbox;
        } catch (Exception | Error e) {
            sandbox.destroy();
            throw e;
        }
    }

    private void ensureImage(String image) throws InterruptedException {
        // images are content-addressed and rarely removed: one inspect per image, not per cold start
        if (present.contains(image)) return;
        try {
            docker.inspectImageCmd(image).exec();
            present.add(image);
            return;
        } catch (NotFoundException e) {
            // not here yet: pull it
        }
        try {
            var pull = docker.pullImageCmd(repository(image));
            String tag = tag(image);
            if (tag != null) pull = pull.withTag(tag);
            pull.start().awaitCompletion(5, TimeUnit.MINUTES);
            docker.inspectImageCmd(image).exec();
            present.add(image);
        } catch (NotFoundException e) {
            throw new ImageUnavailableException("image " + image + " not found", e);
        } catch (RuntimeException e) {
            throw new ImageUnavailableException("could not pull image " + image + ": " + e.getMessage(), e);
        }
    }

    /** {@code repo@sha256:...} is pulled whole; {@code repo:tag} as repository and tag. */
    static String repository(String image) {
        if (image.contains("@")) return image;
        int colon = image.lastIndexOf(':');
        return colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
    }

    static String tag(String image) {
        if (image.contains("@")) return null;
        int colon = image.lastIndexOf(':');
        return colon > image.lastIndexOf('/') ? image.substring(colon + 1) : "latest";
    }

    /** Removes containers this owner left behind (a crashed executor of the same name). */
    public void removeLeftovers() {
        var leftovers = docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(LABEL, owner))
                .exec();
        for (var c : leftovers) {
            try {
                docker.removeContainerCmd(c.getId()).withForce(true).exec();
            } catch (RuntimeException e) {
                log.debug("could not remove leftover container {}: {}", c.getId(), e.toString());
            }
        }
    }
}

package dev.cronhook.executor.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.executor.egress.EgressProxy;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.HarnessScriptRuntime.BlankSpec;
import dev.cronhook.executor.runtime.ImageUnavailableException;
import dev.cronhook.executor.runtime.LogStream;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.Sandbox;
import dev.cronhook.executor.runtime.SandboxSpec;
import dev.cronhook.executor.runtime.ScriptFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scripts in Docker containers of their images: non-root, read-only root file system, a small tmpfs /tmp, no
 * capabilities, no-new-privileges, a pids limit, the script's memory (no swap) and a CPU quota, on the configured
 * network ({@code none} by default). Containers stay warm between invocations of one script version.
 *
 * <p>Given a socket directory, it speaks to the harness of every image that can (label {@link
 * Harness#PROTOCOL_LABEL} at least 2) over a Unix socket in a directory of its own, mounted read-only into the
 * container ({@link HarnessSocket}), so invocations do not pass through the engine; stdout and stderr stay attached
 * for output that goes around the harness. Other images, and every image without a socket directory, are spoken to
 * on the container's stdin and stdout. The socket directory must be on the engine's file system at the same path
 * (with a Docker sidecar: a volume both containers mount at that path).
 */
public final class DockerScriptRuntime extends HarnessScriptRuntime {
    private static final Logger log = LoggerFactory.getLogger(DockerScriptRuntime.class);
    /** Label on every container this runtime starts, so leftovers can be found. */
    public static final String LABEL = "dev.cronhook.executor";
    /** The OCI runtime setting that picks {@value #PREFERRED_OCI_RUNTIME} when the engine offers it. */
    public static final String OCI_AUTO = "auto";
    /** The OCI runtime setting that leaves the choice to the engine (its default runtime, usually runc). */
    public static final String OCI_ENGINE_DEFAULT = "default";
    /**
     * crun starts a container ~70 ms sooner than runc on a 2-core VM (a C binary instead of three Go processes) and
     * applies the same OCI spec: user, read-only root, capabilities, seccomp, cgroup limits.
     */
    public static final String PREFERRED_OCI_RUNTIME = "crun";

    private static final String USER = "65532:65532";
    /** Where, in a container's directory, the operator's extra CA certificates are put. */
    private static final String EXTRA_CA_FILE = "ca.pem";
    // this engine ignores a tmpfs mode, so /tmp is given to the script user outright

    private final DockerClient docker;
    private final String network;
    private final String owner;
    private final Path socketDir;
    private final String socketPrefix;
    /** The engine's name of the OCI runtime containers are created with; null for the engine's default. */
    private final String ociRuntime;
    /** The image blank sandboxes are started from (its harness, no script of its own), or null for none. */
    private volatile String blankImage;
    /** The egress proxy each container with a socket directory gets its own gate of, or null for no network. */
    private volatile EgressProxy egress;
    /** Images known to be present, with the harness protocol each speaks and the language of its script. */
    private final Map<String, ImageInfo> present = new ConcurrentHashMap<>();
    /** The same for images read in the registry only (their labels known, the image perhaps not pulled). */
    private final Map<String, ImageInfo> described = new ConcurrentHashMap<>();
    /** Whether calls of a tenant may share sandboxes (see {@link #shareSandboxes}). */
    private volatile boolean sharing;
    /** Script versions' code taken out of their images, on the host, for shared sandboxes. */
    private final VersionCode code;

    /** What an image says of itself: its harness protocol, its script's language, and its id (null if unknown). */
    private record ImageInfo(int protocol, String language, String id) {}

    /** A runtime that speaks to every harness on stdin and stdout. */
    public DockerScriptRuntime(
            DockerClient docker, String network, String owner, RuntimeLimits limits, WarmSettings warm) {
        this(docker, network, owner, limits, warm, null);
    }

    /**
     * A runtime that gives each container whose harness can speak on a socket one in a new directory under {@code
     * socketDir} (created if missing; a directory the engine sees at the same path); null speaks on stdio only.
     * Containers get the OCI runtime {@link #OCI_AUTO} picks.
     */
    public DockerScriptRuntime(
            DockerClient docker,
            String network,
            String owner,
            RuntimeLimits limits,
            WarmSettings warm,
            Path socketDir) {
        this(docker, network, owner, limits, warm, socketDir, OCI_AUTO);
    }

    /**
     * As above, with containers created by the engine's OCI runtime {@code ociRuntime}: a name the engine lists
     * (e.g. runc, crun, runsc for gVisor), {@link #OCI_AUTO} or {@link #OCI_ENGINE_DEFAULT}.
     *
     * @throws IllegalArgumentException when the engine does not offer the runtime named
     */
    public DockerScriptRuntime(
            DockerClient docker,
            String network,
            String owner,
            RuntimeLimits limits,
            WarmSettings warm,
            Path socketDir,
            String ociRuntime) {
        super(limits, warm);
        this.docker = docker;
        this.network = network == null || network.isBlank() ? "none" : network;
        this.owner = owner;
        this.ociRuntime = resolveOciRuntime(docker, ociRuntime);
        this.socketDir = socketDir == null ? null : socketDir.toAbsolutePath().normalize();
        // one executor's directories are told from another's sharing the same socket directory by this prefix
        this.socketPrefix = HexFormat.of()
                .formatHex(sha256(owner.getBytes(StandardCharsets.UTF_8)))
                .substring(0, 8);
        if (this.socketDir != null) {
            if (!HarnessSocket.fits(this.socketDir, socketPrefix)) {
                throw new IllegalArgumentException("the socket directory " + this.socketDir + " is too long for a"
                        + " Unix socket address: use a path of at most "
                        + HarnessSocket.maxParentPathBytes(socketPrefix)
                        + " bytes");
            }
            try {
                Files.createDirectories(this.socketDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the socket directory " + this.socketDir, e);
            }
            // beside the sockets, on the same file system: placing a version's code in a sandbox is hard links
            this.code = new VersionCode(
                    docker,
                    this.socketDir
                            .resolveSibling(this.socketDir.getFileName() + "-code")
                            .resolve(socketPrefix),
                    Map.of(LABEL, owner),
                    image -> ensureImage(image).id());
        } else {
            this.code = null;
        }
    }

    /**
     * Lets the calls of one tenant (a user's environment, {@link dev.cronhook.executor.runtime.Invocation#tenant})
     * share warm containers, each serving one call at a time and loading every script version it is given from the
     * code placed into its own directory: a tenant's thousand scripts need a few containers, not a thousand. Calls of
     * two tenants never share one. Needs a socket directory; Node.js scripts only (others keep containers of their
     * version's own).
     */
    public void shareSandboxes(boolean share) {
        if (share && socketDir == null) {
            throw new IllegalStateException(
                    "shared sandboxes need the harness socket directory: the code is put there");
        }
        this.sharing = share;
    }

    /** Whether calls of a tenant share sandboxes ({@link #shareSandboxes}). */
    public boolean sharesSandboxes() {
        return sharing;
    }

    /**
     * Reads the code of script versions whose images are references by digest into {@code registry} from the registry,
     * by layer digest (only the code's layers, each once however many images have it), instead of taking it out of
     * the images in the engine; and their labels from their configuration, so a call placed into a shared sandbox
     * needs no pull. Images of other registries, engine-local ones, and every image while the registry cannot be read
     * go the engine's way. Needs a socket directory.
     */
    public void codeRegistry(RegistryAccess registry) {
        if (code == null) throw new IllegalStateException("reading code from a registry needs the socket directory");
        code.registry(registry == null ? null : new RegistryClient(registry));
    }

    /**
     * Shared sandboxes take the code of an image in the local engine from where this host's builder left it, by
     * image id, instead of creating a container to read the image's {@code /app} (see {@link
     * dev.cronhook.core.build.CodeHandoff}); null: from the image only.
     */
    public void codeHandoff(dev.cronhook.core.build.CodeHandoff handoff) {
        if (code == null) throw new IllegalStateException("shared code needs the socket directory");
        code.handoff(handoff);
    }

    @Override
    protected boolean canShare(String image) throws Exception {
        if (!sharing || image.startsWith("bundle:")) return false;
        var known = canShareKnown(image);
        if (known != null) return known;
        // the configuration in the registry says what the image is; only a container started from it needs a pull
        var inRegistry = code.describe(image);
        if (inRegistry != null) {
            described.put(image, info(inRegistry.labels(), null));
        } else {
            ensureImage(image);
        }
        return Boolean.TRUE.equals(canShareKnown(image));
    }

    @Override
    protected Boolean canShareKnown(String image) {
        if (!sharing || image.startsWith("bundle:")) return Boolean.FALSE;
        var info = present.get(image);
        if (info == null) info = described.get(image);
        if (info == null) return null;
        return info.protocol() >= 2 && LanguageRuntime.DEFAULT.equals(info.language());
    }

    @Override
    protected Sandbox startShared(SharedSpec spec, String image, Sandbox.SandboxOutput output) throws Exception {
        return start(new SandboxSpec(SHARED, 0, image, spec.memoryMb()), output, BlankSpec.plain(spec.memoryMb()));
    }

    @Override
    protected String placeShared(Sandbox sandbox, String image) throws Exception {
        Path source = code.of(image);
        String name = source.getFileName().toString();
        code.link(source, ((DockerSandbox) sandbox).codeDir().resolve(name));
        return HarnessSocket.MOUNT + "/" + DockerSandbox.CODE_DIR + "/" + name + "/" + Harness.SCRIPT_FILE_NAME;
    }

    /**
     * The OCI runtime a setting names on this engine: null (the engine's default) for {@link #OCI_ENGINE_DEFAULT},
     * and for {@link #OCI_AUTO} when the engine does not offer {@value #PREFERRED_OCI_RUNTIME} or cannot say.
     */
    public static String resolveOciRuntime(DockerClient docker, String setting) {
        String wanted = setting == null || setting.isBlank() ? OCI_AUTO : setting.trim();
        if (wanted.equals(OCI_ENGINE_DEFAULT)) return null;
        boolean auto = wanted.equals(OCI_AUTO);
        Map<String, ?> offered;
        try {
            var runtimes = docker.infoCmd().exec().getRuntimes();
            offered = runtimes == null ? Map.of() : runtimes;
        } catch (RuntimeException e) {
            if (auto) {
                // an engine that does not answer now fails the first start with a clearer error than this
                log.debug("could not list the engine's OCI runtimes: {}", e.toString());
                return null;
            }
            throw new IllegalStateException(
                    "could not ask the Docker engine whether it has the OCI runtime \"" + wanted + "\": "
                            + e.getMessage(),
                    e);
        }
        if (auto) return offered.containsKey(PREFERRED_OCI_RUNTIME) ? PREFERRED_OCI_RUNTIME : null;
        if (!offered.containsKey(wanted)) {
            throw new IllegalArgumentException("the Docker engine has no OCI runtime \"" + wanted + "\" (it has "
                    + String.join(", ", new TreeSet<>(offered.keySet()))
                    + "): register it under \"runtimes\" in the engine's daemon.json, or use \"" + OCI_AUTO
                    + "\" or \""
                    + OCI_ENGINE_DEFAULT + "\"");
        }
        return wanted;
    }

    /**
     * Lets this runtime start blank sandboxes ({@link #runOnce}) from {@code image}: an image the builder made, whose
     * harness is told to load the code placed into the sandbox's own directory instead of its own script. Needs a
     * socket directory (the code goes there).
     */
    public void blankImage(String image) {
        if (socketDir == null) {
            throw new IllegalStateException("blank sandboxes need the harness socket directory: the code is put there");
        }
        this.blankImage = image;
    }

    /**
     * Gives every container started from now on that has a socket directory a gate of {@code proxy} there: the only
     * way its code reaches the network (through its harness), as each call's egress policy allows. Needs a socket
     * directory, and a container network of {@code none} (a container on a network would not need the proxy).
     */
    public void egressProxy(EgressProxy proxy) {
        if (socketDir == null) throw new IllegalStateException("the egress proxy needs the harness socket directory");
        this.egress = proxy;
    }

    /** The OCI runtime containers are created with, or empty when the engine picks its default. */
    public Optional<String> ociRuntime() {
        return Optional.ofNullable(ociRuntime);
    }

    /** The longest socket directory path (in UTF-8 bytes) whose sockets fit in a Unix socket address. */
    public static int maxSocketDirBytes() {
        return HarnessSocket.maxParentPathBytes("0".repeat(8));
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
        return start(spec, output, null);
    }

    @Override
    protected Sandbox startBlank(BlankSpec blank, Sandbox.SandboxOutput output) throws Exception {
        String image = blankImage;
        if (image == null) throw new ImageUnavailableException("this runtime has no image for blank sandboxes", null);
        return start(new SandboxSpec(BLANK, 0, image, blank.memoryMb()), output, blank);
    }

    @Override
    protected void place(Sandbox sandbox, ScriptFiles code) throws IOException {
        code.writeTo(((DockerSandbox) sandbox).codeDir());
    }

    /** The script id blank sandboxes are labelled with: they belong to no script until their code is placed. */
    private static final java.util.UUID BLANK = new java.util.UUID(0, 0);
    /** The script id shared sandboxes are labelled with: they serve many scripts. */
    private static final java.util.UUID SHARED = new java.util.UUID(0, 2);

    /** Starts a container for {@code spec}; a blank one (no code yet) when {@code blank} says what it is for. */
    private Sandbox start(SandboxSpec spec, Sandbox.SandboxOutput output, BlankSpec blank) throws Exception {
        if (spec.image().startsWith("bundle:")) {
            throw new ImageUnavailableException("the Docker runtime runs images, not bundles: " + spec.image(), null);
        }
        long t0 = System.nanoTime();
        int protocol = ensureImage(spec.image()).protocol();
        HarnessSocket socket = socketDir != null && protocol >= 2 ? HarnessSocket.open(socketDir, socketPrefix) : null;
        if (blank != null && socket == null) {
            throw new ImageUnavailableException(
                    "blank sandboxes need a harness that speaks on a socket: " + spec.image(), null);
        }
        DockerSandbox sandbox = null;
        EgressProxy.Gate gate = null;
        try {
            // a blank started for a dependency tree has it beside where its code will go before its harness starts
            if (blank != null && blank.hasDependencies()) {
                ScriptFiles.linkDependencies(blank.nodeModules(), socket.dir().resolve(DockerSandbox.CODE_DIR));
            }
            var proxy = egress;
            byte[] extraCa = null;
            if (socket != null && proxy != null) {
                gate = proxy.open(socket.dir().resolve(EgressProxy.socketFileName()));
                extraCa = proxy.extraCaCertificates();
                if (extraCa != null) {
                    Path ca = Files.write(socket.dir().resolve(EXTRA_CA_FILE), extraCa);
                    Files.setPosixFilePermissions(
                            ca, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
            var created = create(spec, socket, blank, gate != null, extraCa != null);
            long t1 = System.nanoTime();
            var stdin = socket == null ? new StdinStream() : null;
            sandbox = new DockerSandbox(docker, created, stdin, socket, output, gate);
            attach(sandbox, stdin);
            long t2 = System.nanoTime();
            docker.startContainerCmd(created).exec();
            long t3 = System.nanoTime();
            if (socket != null) awaitHarness(spec, sandbox, socket);
            if (log.isDebugEnabled()) {
                log.debug(
                        "container {} for {}: image+create {} ms, attach {} ms, start {} ms, harness {} ms",
                        sandbox.shortId(),
                        spec.image(),
                        (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000,
                        (t3 - t2) / 1_000_000,
                        (System.nanoTime() - t3) / 1_000_000);
            }
            return sandbox;
        } catch (Exception | Error e) {
            if (sandbox != null) {
                sandbox.destroy();
            } else {
                if (gate != null) gate.close();
                if (socket != null) socket.close();
            }
            throw e;
        }
    }

    private String create(SandboxSpec spec, HarnessSocket socket, BlankSpec blank, boolean egress, boolean extraCa)
            throws InterruptedException {
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
        if (ociRuntime != null) host.withRuntime(ociRuntime);
        var env = new ArrayList<>(List.of("NODE_OPTIONS=--max-old-space-size=" + heapMb, "HOME=/tmp", "TMPDIR=/tmp"));
        if (socket != null) {
            // read-only: the script can neither replace the socket nor leave anything behind
            host.withMounts(List.of(new Mount()
                    .withType(MountType.BIND)
                    .withSource(socket.dir().toString())
                    .withTarget(HarnessSocket.MOUNT)
                    .withReadOnly(true)));
            env.add(Harness.SOCKET_ENV + "=" + HarnessSocket.containerPath());
            if (egress) env.add(Harness.EGRESS_ENV + "=" + HarnessSocket.MOUNT + "/" + EgressProxy.socketFileName());
            // node reads it once, at start: the operator's CAs for internal services, beside the public ones
            if (extraCa) env.add("NODE_EXTRA_CA_CERTS=" + HarnessSocket.MOUNT + "/" + EXTRA_CA_FILE);
            if (blank != null) {
                env.add(Harness.SCRIPT_ENV + "=" + HarnessSocket.MOUNT + "/" + DockerSandbox.CODE_DIR + "/"
                        + Harness.SCRIPT_FILE_NAME);
                if (blank.hasDependencies() && !blank.packages().isEmpty()) {
                    env.add(Harness.PRELOAD_ENV + "=" + String.join(",", blank.packages()));
                }
            }
        }
        var create = docker.createContainerCmd(spec.image())
                .withUser(USER)
                .withWorkingDir(Harness.APP_DIR)
                .withEnv(env)
                .withLabels(Map.of(
                        LABEL,
                        owner,
                        LABEL + ".script",
                        spec.scriptId().toString(),
                        LABEL + ".version",
                        String.valueOf(spec.version())))
                .withAttachStdin(socket == null)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withStdinOpen(socket == null)
                .withStdInOnce(false)
                .withTty(false)
                // with no network, tell the engine so: it then skips its network hook, a re-exec of dockerd
                // that costs ~250 ms of every container start on a small VM; the container still gets its
                // own network namespace holding only the loopback
                .withNetworkDisabled("none".equals(network))
                .withHostConfig(host);
        try {
            return create.exec().getId();
        } catch (NotFoundException e) {
            // removed since we last looked: fetch it again, once
            present.remove(spec.image());
            ensureImage(spec.image());
            return create.exec().getId();
        }
    }

    /** Attaches to the created container's output (and its stdin, for a harness on stdio). */
    private void attach(DockerSandbox sandbox, StdinStream stdin) throws InterruptedException {
        var cmd = docker.attachContainerCmd(sandbox.id())
                .withStdOut(true)
                .withStdErr(true)
                .withFollowStream(true);
        if (stdin != null) cmd = cmd.withStdIn(stdin);
        var attached = cmd.exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                var stream = frame.getStreamType() == StreamType.STDERR ? LogStream.STDERR : LogStream.STDOUT;
                sandbox.attached(stream, frame.getPayload());
            }

            @Override
            public void onError(Throwable throwable) {
                log.debug("attach to {} ended: {}", sandbox.shortId(), throwable.toString());
                sandbox.attachEnded();
            }

            @Override
            public void onComplete() {
                sandbox.attachEnded();
            }
        });
        sandbox.attachment(attached);
        if (!attached.awaitStarted(limits.startTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("attaching to the container took too long");
        }
    }

    /** Waits for the started container's harness to connect to its socket, or says clearly why it did not. */
    private void awaitHarness(SandboxSpec spec, DockerSandbox sandbox, HarnessSocket socket) throws Exception {
        if (socket.accept(limits.startTimeout(), sandbox.attachDone())) {
            sandbox.connected();
            return;
        }
        String why;
        if (sandbox.attachDone().isDone()) {
            why = "exited (code " + sandbox.exitStatus().exitCode() + ") before its harness connected to "
                    + HarnessSocket.containerPath();
        } else {
            why = "did not connect to " + HarnessSocket.containerPath() + " within "
                    + limits.startTimeout().toMillis() + " ms";
        }
        String output = sandbox.earlyOutput();
        throw new HarnessDidNotConnectException("container " + sandbox.shortId() + " of " + spec.image() + ": "
                + (why.startsWith("exited") ? why : "its harness " + why)
                + (output.isEmpty() ? " (it wrote nothing)" : "; its output: " + output));
    }

    /** Makes sure the image is present (pulling it if not); returns the harness protocol and language it names. */
    private ImageInfo ensureImage(String image) throws InterruptedException {
        // images are content-addressed and rarely removed: one inspect per image, not per cold start
        var known = present.get(image);
        if (known != null) return known;
        try {
            return remember(image, docker.inspectImageCmd(image).exec());
        } catch (NotFoundException e) {
            // not here yet: pull it
        }
        try {
            var pull = docker.pullImageCmd(repository(image));
            String tag = tag(image);
            if (tag != null) pull = pull.withTag(tag);
            pull.start().awaitCompletion(5, TimeUnit.MINUTES);
            return remember(image, docker.inspectImageCmd(image).exec());
        } catch (NotFoundException e) {
            throw new ImageUnavailableException("image " + image + " not found", e);
        } catch (RuntimeException e) {
            throw new ImageUnavailableException("could not pull image " + image + ": " + e.getMessage(), e);
        }
    }

    private ImageInfo remember(String image, InspectImageResponse inspected) {
        var labels =
                inspected.getConfig() == null ? null : inspected.getConfig().getLabels();
        var info = info(labels, inspected.getId());
        present.put(image, info);
        return info;
    }

    private static ImageInfo info(Map<String, String> labels, String id) {
        String language = labels == null ? null : labels.get(LANGUAGE_LABEL);
        // images from before the label are all Node.js
        return new ImageInfo(protocol(labels), language == null ? LanguageRuntime.DEFAULT : language, id);
    }

    /** The image label naming the language of the script an image holds. */
    static final String LANGUAGE_LABEL = "dev.cronhook.language";

    /** The harness protocol an image's labels name; images from before the label speak 1 (stdio). */
    static int protocol(Map<String, String> labels) {
        String value = labels == null ? null : labels.get(Harness.PROTOCOL_LABEL);
        if (value == null) return 1;
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 1;
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

    /** Removes containers and socket directories this owner left behind (a crashed executor of the same name). */
    public void removeLeftovers() {
        if (socketDir != null) HarnessSocket.removeLeftovers(socketDir, socketPrefix);
        if (code != null) code.clear();
        var leftovers = docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(LABEL, owner))
                .exec();
        if (!leftovers.isEmpty()) log.info("removing {} container(s) left by an earlier {}", leftovers.size(), owner);
        for (var c : leftovers) {
            try {
                docker.removeContainerCmd(c.getId()).withForce(true).exec();
            } catch (RuntimeException e) {
                log.debug("could not remove leftover container {}: {}", c.getId(), e.toString());
            }
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.cronhook.tryout.config;

import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.image.ImageBuilder;
import dev.cronhook.builder.image.ImageTarget;
import dev.cronhook.builder.image.JibImageBuilder;
import dev.cronhook.builder.npm.DependencyInstaller;
import dev.cronhook.builder.npm.NpmDependencyInstaller;
import dev.cronhook.builder.npm.NpmSettings;
import dev.cronhook.builder.pip.PipDependencyInstaller;
import dev.cronhook.builder.pip.PipSettings;
import dev.cronhook.core.net.PrivateAddressGuard;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.secret.RunSecretsSource;
import dev.cronhook.core.tryout.TryOutRequest;
import dev.cronhook.core.tryout.redis.RedisTryOutChannel;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.config.ExecutorAutoConfiguration;
import dev.cronhook.executor.config.ExecutorName;
import dev.cronhook.executor.config.SocketDirs;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import dev.cronhook.executor.runtime.process.ProcessSandboxing;
import dev.cronhook.executor.runtime.process.ProcessScriptRuntime;
import dev.cronhook.executor.secrets.HttpRunSecretsSource;
import dev.cronhook.executor.secrets.RunSecretsResolver;
import dev.cronhook.executor.secrets.infisical.InfisicalSecretProvider;
import dev.cronhook.tryout.BlankSandboxImage;
import dev.cronhook.tryout.TryOutService;
import dev.cronhook.tryout.worker.TryOutWorker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The try-out role: a worker that takes try-outs off the {@code cronhook:try-outs} stream (the api, in this
 * process or another, puts them there) and runs each once in a sandbox. With a Docker engine (the executor's
 * settings: {@code cronhook.executor.runtime}, {@code docker-host}, {@code oci-runtime}) every try-out gets a blank
 * container as hardened as a saved script's, started ahead of time and removed after it; without one, the process
 * runtime's sandbox. Dependencies come from the builder's npm installer and its cache under {@code
 * cronhook.home/builder}, so a tree installed for a saved script is reused.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty("cronhook.role.try-out.enabled")
public class TryOutConfiguration {
    private static final Logger log = LoggerFactory.getLogger(TryOutConfiguration.class);

    /**
     * How the try-out role runs code: a runtime and, with Docker, the image of its blank sandboxes and the stable name
     * its containers are labelled with.
     */
    public record TryOutSandboxes(
            HarnessScriptRuntime runtime, BlankSandboxImage image, ExecutorName owner, ImageBuilder images)
            implements AutoCloseable {
        public TryOutSandboxes(HarnessScriptRuntime runtime, BlankSandboxImage image, ExecutorName owner) {
            this(runtime, image, owner, null);
        }

        @Override
        public void close() {
            runtime.close();
            if (image != null) image.close();
            if (owner != null) owner.close();
        }
    }

    @Bean(destroyMethod = "close")
    TryOutSandboxes tryOutSandboxes(
            @Value("${cronhook.home}") Path home,
            @Value("${cronhook.executor.runtime:auto}") String runtimeKind,
            @Value("${cronhook.executor.docker-host:unix:///var/run/docker.sock}") String dockerHost,
            @Value("${cronhook.executor.oci-runtime:auto}") String ociRuntime,
            @Value("${cronhook.executor.node:node}") String node,
            @Value("${cronhook.try-out.memory-mb:256}") int memoryMb,
            @Value("${cronhook.try-out.blanks-ready:2}") int blanksReady,
            @Value("${cronhook.try-out.socket-dir:}") String socketDirSetting,
            @Value("${cronhook.executor.socket-dir:}") String executorSocketDir,
            @Value("${cronhook.builder.registry:}") String registry,
            @Value("${cronhook.builder.registry-username:}") String registryUsername,
            @Value("${cronhook.builder.registry-password:}") String registryPassword,
            @Value("${cronhook.builder.base-image:host}") String baseImage,
            @Value("${cronhook.builder.docker-executable:docker}") Path dockerExecutable,
            @Value("${cronhook.executor.unsafe-process-runtime:false}") boolean unsafe,
            @Value("${cronhook.executor.default-memory-mb:256}") int executorMemoryMb,
            @Value("${cronhook.executor.shared-blanks-ready:2}") int sharedBlanksReady,
            ObjectProvider<ImageBuilder> builderImages,
            ObjectProvider<ScriptRuntime> executorRuntime,
            ObjectProvider<MeterRegistry> meters,
            ObjectProvider<StatefulRedisConnection<String, String>> redisConnection,
            Environment environment) {
        var limits = new RuntimeLimits(1024 * 1024, 10_000, 16_384, 128, 1.0, 64, memoryMb, Duration.ofSeconds(30));
        if (!"process".equalsIgnoreCase(runtimeKind.trim())) {
            var docker = DockerScriptRuntime.client(dockerHost);
            boolean required = "docker".equalsIgnoreCase(runtimeKind.trim());
            if (required || DockerScriptRuntime.reachable(docker)) {
                // the executors' socket directory when one is set: the engine sees it at the same path (on
                // Kubernetes a volume the Docker sidecar shares); this worker's directories differ by their prefix
                String configured = socketDirSetting.isBlank() ? executorSocketDir : socketDirSetting;
                Path sockets = configured.isBlank()
                        ? SocketDirs.fitting(
                                        home.resolve("try-out")
                                                .resolve("sockets")
                                                .toAbsolutePath(),
                                        "try-out",
                                        home.toAbsolutePath().toString())
                                .orElse(home.resolve("try-out")
                                        .resolve("sockets")
                                        .toAbsolutePath())
                        : Path.of(configured).toAbsolutePath();
                if (sockets.toString().getBytes(StandardCharsets.UTF_8).length
                        > DockerScriptRuntime.maxSocketDirBytes()) {
                    throw new IllegalStateException("the try-out socket directory " + sockets + " is too long for a"
                            + " Unix socket address (at most " + DockerScriptRuntime.maxSocketDirBytes()
                            + " bytes): set CRONHOOK_TRY_OUT_SOCKET_DIR to a shorter path");
                }
                // stable for every start of this installation, so a start removes what a crashed one left
                var owner = ExecutorName.claimFor(
                        "try-out", home.toAbsolutePath().normalize().toString());
                var runtime = new DockerScriptRuntime(
                        docker,
                        "none",
                        owner.value(),
                        limits,
                        new HarnessScriptRuntime.WarmSettings(0, Duration.ofSeconds(1), 1),
                        sockets,
                        ociRuntime);
                runtime.removeLeftovers();
                // the try-out's own proxy, as the executors' (it may run without the executor role)
                runtime.egressProxy(ExecutorAutoConfiguration.egressProxy(environment, meters.getIfAvailable()));
                var images = builderImages.getIfAvailable();
                if (!(images instanceof JibImageBuilder)) {
                    // the builder role is elsewhere (or builds bundles): make the image ourselves, into the registry
                    // the builders push to when there is one (a try-out pod has no docker CLI), else this engine
                    var target = registry.isBlank()
                            ? (ImageTarget) new ImageTarget.DockerDaemon(dockerExecutable)
                            : new ImageTarget.Registry(
                                    registry,
                                    blankToNull(registryUsername),
                                    blankToNull(registryPassword),
                                    registry.matches("(127\\.0\\.0\\.1|localhost)(:\\d+)?"));
                    images = new JibImageBuilder(
                            target,
                            baseImage,
                            null,
                            home.resolve("builder"),
                            new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(10)));
                }
                // built into a registry, executors elsewhere can pull it: they find its reference in Redis
                boolean pullable =
                        images instanceof JibImageBuilder jib && jib.target() instanceof ImageTarget.Registry;
                var redis = redisConnection.getIfAvailable();
                var image = BlankSandboxImage.buildInBackground(images, built -> {
                    runtime.blankImage(built);
                    runtime.keepBlanksReady(memoryMb, blanksReady);
                    if (pullable && redis != null) publish(redis, built);
                    // the executor of this process starts a new tenant's first shared container ahead of time too
                    if (executorRuntime.getIfUnique() instanceof DockerScriptRuntime executor
                            && executor.sharesSandboxes()
                            && sharedBlanksReady > 0) {
                        executor.blankImage(built);
                        executor.keepBlanksReady(executorMemoryMb, sharedBlanksReady);
                    }
                });
                log.info(
                        "try-outs run in blank Docker containers (network none, OCI runtime {}), {} kept ready",
                        runtime.ociRuntime().orElse("the engine's default"),
                        blanksReady);
                return new TryOutSandboxes(runtime, image, owner, images);
            }
            log.warn("no Docker engine answers at {}: try-outs run in the process runtime's sandbox", dockerHost);
        }
        var isolation = ProcessScriptRuntime.Isolation.choose(unsafe);
        if (!isolation.sandboxed()) {
            log.warn(
                    "{}; cronhook.executor.unsafe-process-runtime is set: try-outs run NOT isolated",
                    ProcessSandboxing.available());
        }
        var runtime = new ProcessScriptRuntime(
                node,
                home.resolve("try-out"),
                limits,
                new HarnessScriptRuntime.WarmSettings(1, Duration.ofSeconds(1), 1),
                isolation);
        if (runtime.sandboxed()) {
            runtime.egressProxy(ExecutorAutoConfiguration.egressProxy(environment, meters.getIfAvailable()));
        }
        return new TryOutSandboxes(runtime, null, null);
    }

    /**
     * Where a saved script's try-out gets its secrets: the api in this process when it has one, else the api at
     * {@code cronhook.executor.api-url}, as executors do; Infisical bindings through the executor's client when this
     * process has one.
     */
    @Bean
    TryOutSecrets tryOutSecrets(
            ObjectProvider<RunSecretsSource> inProcess,
            ObjectProvider<InfisicalSecretProvider> executorInfisical,
            @Value("${cronhook.executor.api-url:}") String apiUrl,
            @Value("${cronhook.internal-token:}") String workerToken,
            @Value("${cronhook.egress.allow-private:}") String allowPrivate) {
        RunSecretsSource source = inProcess.getIfAvailable();
        // the api's management port, where the workers' credential is asked for besides the try-out's token
        if (source == null && !apiUrl.isBlank()) source = new HttpRunSecretsSource(URI.create(apiUrl), workerToken);
        if (source == null) {
            log.warn(
                    "no api in this process and no cronhook.executor.api-url: try-outs of saved scripts get no secrets");
        }
        var infisical = executorInfisical.getIfAvailable();
        var own = infisical == null
                ? new InfisicalSecretProvider(
                        InfisicalSecretProvider.Settings.defaults()
                                .withGuard(PrivateAddressGuard.allowing(allowPrivate)),
                        Clock.systemUTC())
                : null;
        var provider = infisical != null ? infisical : own;
        return new TryOutSecrets(new RunSecretsResolver(source, provider::fetch), own);
    }

    /** The try-out worker's secrets resolver, and the Infisical client it made for itself (closed with it). */
    public record TryOutSecrets(RunSecretsResolver resolver, InfisicalSecretProvider own) implements AutoCloseable {
        @Override
        public void close() {
            if (own != null) own.close();
        }
    }

    @Bean
    TryOutService tryOutService(
            ObjectProvider<DependencyInstaller> builderInstaller,
            ObjectProvider<PipDependencyInstaller> builderPip,
            @Value("${cronhook.builder.pip-index-url:}") String pipIndexUrl,
            TryOutSandboxes sandboxes,
            TryOutSecrets secrets,
            @Value("${cronhook.home}") Path home,
            @Value("${cronhook.try-out.timeout:10s}") Duration timeout,
            @Value("${cronhook.try-out.memory-mb:256}") int memoryMb) {
        // the builder's installer when this process builds too, else one on the same cache directory
        var installer = builderInstaller.getIfAvailable(() -> new NpmDependencyInstaller(
                home.resolve("builder"),
                new NpmSettings(
                        List.of("npm"),
                        null,
                        Duration.ofMinutes(5),
                        300L * 1024 * 1024,
                        Duration.ofMinutes(5),
                        new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(10)))));
        var service = new TryOutService(
                installer,
                home.resolve("try-out").resolve("bundles"),
                sandboxes.runtime(),
                new TryOutService.Limits(timeout, memoryMb),
                sandboxes.image() == null ? null : sandboxes.image()::await,
                secrets.resolver());
        // Python code is tried in an image of its own, built as the builder builds one, in a Docker sandbox
        if (sandboxes.images() != null) {
            var pip = builderPip.getIfAvailable(() -> new PipDependencyInstaller(
                    home.resolve("builder"), PipSettings.defaults().withIndexUrl(blankToNull(pipIndexUrl))));
            service.tryPythonWith(sandboxes.images(), pip);
        }
        return service;
    }

    @Bean
    TryOutWorkerLifecycle tryOutWorker(
            RedisClient redis,
            StatefulRedisConnection<String, String> connection,
            TryOutService service,
            @Value("${cronhook.try-out.consumer-name:}") String consumerName,
            @Value("${cronhook.try-out.concurrency:4}") int concurrency,
            @Value("${cronhook.try-out.visibility-timeout:10s}") Duration visibilityTimeout) {
        var channel = new RedisTryOutChannel(redis, connection, Wire.json());
        // a try-out whose worker died is given to another worker once; if that one dies too, the caller is told
        var options = QueueOptions.<TryOutRequest>defaults()
                .withVisibilityTimeout(visibilityTimeout)
                .withMaxDeliveries(2)
                .withConcurrency(concurrency)
                .withDeadLetterHandler(TryOutWorker.deadLetterTo(channel));
        var queue = new RedisWorkQueue<>(
                redis, connection, Streams.TRY_OUTS, Streams.TRY_OUT_GROUP, TryOutRequest.class, Wire.json(), options);
        String name = consumerName.isBlank() ? defaultName() : consumerName;
        return new TryOutWorkerLifecycle(new TryOutWorker(queue, channel, service, name, Duration.ofSeconds(2)));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Host, process and a random part: two workers in one JVM (tests) never share a name. */
    private static String defaultName() {
        byte[] random = new byte[3];
        ThreadLocalRandom.current().nextBytes(random);
        return hostName() + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().formatHex(random);
    }

    /** Names the blank image for the executors of other processes; they look again now and then. */
    private static void publish(StatefulRedisConnection<String, String> redis, String image) {
        try {
            redis.sync().set(Streams.BLANK_IMAGE, image);
        } catch (RuntimeException e) {
            log.warn("could not name the blank sandbox image for other executors: {}", e.toString());
        }
    }
}

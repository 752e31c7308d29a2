package dev.cronhook.executor.config;

import dev.cronhook.core.run.DirectRuns;
import dev.cronhook.core.run.FinishedRuns;
import dev.cronhook.core.secret.RunSecretsSource;
import dev.cronhook.executor.egress.EgressObserver;
import dev.cronhook.executor.egress.EgressProxy;
import dev.cronhook.executor.egress.MicrometerEgressObserver;
import dev.cronhook.executor.logs.LogShipper;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import dev.cronhook.executor.runtime.process.ProcessSandboxing;
import dev.cronhook.executor.runtime.process.ProcessScriptRuntime;
import dev.cronhook.executor.secrets.HttpRunSecretsSource;
import dev.cronhook.executor.secrets.RunSecretsResolver;
import dev.cronhook.executor.secrets.infisical.InfisicalSecretProvider;
import dev.cronhook.executor.worker.RunWorker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The executor role: a {@link ScriptRuntime} (Docker, or local processes where no engine answers) and the run
 * worker consuming {@code cronhook:runs}. Active with {@code cronhook.role.executor.enabled=true}; expects the
 * app's {@link RedisClient} and {@code StatefulRedisConnection<String, String>}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty("cronhook.role.executor.enabled")
@EnableConfigurationProperties(ExecutorProperties.class)
public class ExecutorAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(ExecutorAutoConfiguration.class);

    /** This replica's name; see {@link ExecutorName}. */
    @Bean(destroyMethod = "close")
    ExecutorName executorName(ExecutorProperties properties, Environment environment) {
        String home = Path.of(environment.getProperty(
                        "cronhook.home",
                        Path.of(System.getProperty("user.home"), ".cronhook").toString()))
                .toAbsolutePath()
                .normalize()
                .toString();
        var name = ExecutorName.claim(properties.consumerName(), home);
        log.info("executor {}: containers and a consumer of that name left by an earlier start are taken over", name);
        return name;
    }

    /**
     * The executor's egress proxy: each Docker sandbox gets a gate of it in its own directory, the only way its code
     * reaches the network, as the script's allow-list says and never to a private address unless the operator allowed
     * it ({@code CRONHOOK_EGRESS_ALLOW_PRIVATE}).
     */
    @Bean
    @ConditionalOnMissingBean
    EgressProxy egressProxy(Environment environment, ObjectProvider<MeterRegistry> meters) {
        return egressProxy(environment, meters.getIfAvailable());
    }

    /** The egress proxy the operator's settings describe, counting into {@code meters} when there is a registry. */
    public static EgressProxy egressProxy(Environment environment, MeterRegistry meters) {
        return EgressProxy.configured(
                environment.getProperty("cronhook.egress.allow-private", ""),
                environment.getProperty("cronhook.egress.test-hosts", ""),
                environment.getProperty("cronhook.egress.ca-certificates", ""),
                meters == null ? EgressObserver.NONE : new MicrometerEgressObserver(meters));
    }

    /** {@code cronhook_executor_warm_containers}: started sandboxes kept warm in this executor. */
    @Bean
    io.micrometer.core.instrument.binder.MeterBinder warmContainersGauge(ScriptRuntime runtime) {
        return registry -> {
            if (runtime instanceof dev.cronhook.executor.runtime.HarnessScriptRuntime harness) {
                io.micrometer.core.instrument.Gauge.builder("cronhook.executor.warm.containers", harness::warmCount)
                        .description("started sandboxes kept warm between invocations")
                        .register(registry);
            }
        };
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    ScriptRuntime scriptRuntime(
            ExecutorProperties properties, Environment environment, ExecutorName name, EgressProxy egress) {
        var limits = new RuntimeLimits(
                properties.maxResultBytes(),
                properties.maxLogLines(),
                properties.maxLineChars(),
                properties.pidsLimit(),
                properties.cpus(),
                properties.tmpMb(),
                properties.defaultMemoryMb(),
                properties.startTimeout());
        var warm = new HarnessScriptRuntime.WarmSettings(
                properties.maxWarm(),
                properties.warmIdleTime(),
                properties.maxWarmPerScript(),
                properties.maxShared(),
                properties.maxSharedPerTenant(),
                properties.scriptsPerSharedSandbox(),
                properties.maxSharedMemory() == null
                        ? HarnessScriptRuntime.WarmSettings.defaultSharedBytes()
                        : properties.maxSharedMemory().toBytes());
        var kind = properties.runtime();
        if (kind != ExecutorProperties.RuntimeKind.PROCESS) {
            var docker = DockerScriptRuntime.client(properties.dockerHost());
            if (kind == ExecutorProperties.RuntimeKind.DOCKER || DockerScriptRuntime.reachable(docker)) {
                var sockets = socketDir(properties, environment);
                var runtime = new DockerScriptRuntime(
                        docker, properties.network(), name.value(), limits, warm, sockets, properties.ociRuntime());
                runtime.removeLeftovers();
                if (sockets != null && properties.sharedSandboxes()) {
                    runtime.shareSandboxes(true);
                    log.info(
                            "a user's environment's Node.js scripts share warm containers (at most {} busy per tenant,"
                                    + " idle ones holding at most {} MiB)",
                            properties.maxSharedPerTenant(),
                            warm.maxSharedBytes() >> 20);
                    // a builder of this host loading images into this engine leaves their code there
                    runtime.codeHandoff(dev.cronhook.core.build.CodeHandoff.configured(
                            environment.getProperty("cronhook.code-handoff-dir"),
                            environment.getProperty("cronhook.home")));
                    var registry = codeRegistry(properties, environment);
                    if (registry != null) {
                        runtime.codeRegistry(registry);
                        log.info("shared sandboxes read script versions' code from {} by layer digest", registry);
                    }
                }
                if (sockets != null && "none".equals(properties.network())) {
                    runtime.egressProxy(egress);
                } else {
                    if (sockets != null) {
                        log.warn(
                                "scripts' egress allow-lists are not enforced: containers join the Docker network {}"
                                        + " directly (CRONHOOK_EXECUTOR_NETWORK)",
                                properties.network());
                    }
                }
                log.info(
                        "scripts run in Docker at {} (network {}, OCI runtime {}); harness {}",
                        properties.dockerHost(),
                        properties.network(),
                        runtime.ociRuntime().orElse("the engine's default"),
                        sockets == null ? "on stdio through the engine" : "sockets in " + sockets);
                return runtime;
            }
            log.warn("no Docker engine answers at {}: falling back to the process runtime", properties.dockerHost());
        }
        var runtime = new ProcessScriptRuntime(
                properties.node(), workDir(properties, environment), limits, warm, processIsolation(properties));
        if (runtime.sandboxed()) runtime.egressProxy(egress);
        return runtime;
    }

    /**
     * The registry shared sandboxes read code from: {@code cronhook.executor.registry}, else the builder's; the
     * executor's credentials, else the builder's for the same host, else the engine client's {@code config.json}
     * ({@code $DOCKER_CONFIG}, else {@code ~/.docker}). Null when neither names a registry.
     */
    static dev.cronhook.executor.runtime.docker.RegistryAccess codeRegistry(
            ExecutorProperties properties, Environment environment) {
        String builderHost = blankToNull(environment.getProperty("cronhook.builder.registry"));
        String host = properties.registry() != null && !properties.registry().isBlank()
                ? properties.registry().strip()
                : builderHost;
        if (host == null) return null;
        boolean builders = host.equals(builderHost);
        String username = blankToNull(properties.registryUsername());
        String password = properties.registryPassword();
        if (username == null && builders) {
            username = blankToNull(environment.getProperty("cronhook.builder.registry-username"));
            password = environment.getProperty("cronhook.builder.registry-password");
        }
        Boolean insecure = properties.insecureRegistry();
        if (insecure == null && builders) {
            String builderInsecure = blankToNull(environment.getProperty("cronhook.builder.insecure-registry"));
            if (builderInsecure != null) insecure = Boolean.parseBoolean(builderInsecure);
        }
        String dockerConfig = blankToNull(environment.getProperty("DOCKER_CONFIG"));
        Path configJson = dockerConfig != null
                ? Path.of(dockerConfig, "config.json")
                : Path.of(System.getProperty("user.home"), ".docker", "config.json");
        return dev.cronhook.executor.runtime.docker.RegistryAccess.of(host, username, password, insecure)
                .withCredentialsFrom(configJson);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /**
     * Sandboxes, unless the operator said unsafe (a single-user machine) and none can be made here: then scripts run
     * unisolated, said loudly. With a sandbox available the flag changes nothing.
     */
    static ProcessScriptRuntime.Isolation processIsolation(ExecutorProperties properties) {
        if (!properties.unsafeProcessRuntime()) return ProcessScriptRuntime.Isolation.sandbox();
        var probe = ProcessSandboxing.available();
        if (probe.available()) return ProcessScriptRuntime.Isolation.sandbox();
        log.warn("{}; cronhook.executor.unsafe-process-runtime is set: scripts run NOT isolated", probe);
        return ProcessScriptRuntime.Isolation.unsafeNone();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    InfisicalSecretProvider infisicalSecretProvider(
            ExecutorProperties properties,
            @org.springframework.beans.factory.annotation.Value("${cronhook.egress.allow-private:}")
                    String allowPrivate) {
        return new InfisicalSecretProvider(
                InfisicalSecretProvider.Settings.defaults()
                        .withSecretsTtl(properties.secretsCacheTtl())
                        .withGuard(dev.cronhook.core.net.PrivateAddressGuard.allowing(allowPrivate)),
                Clock.systemUTC());
    }

    /**
     * Where runs' secrets come from: the api in this process when it has one (all-in-one), else the api at
     * {@code cronhook.executor.api-url} (a split deployment; executors hold no database credentials).
     */
    @Bean
    RunSecretsResolver runSecretsResolver(
            ExecutorProperties properties,
            ObjectProvider<RunSecretsSource> inProcess,
            InfisicalSecretProvider infisical,
            Environment environment) {
        RunSecretsSource source = inProcess.getIfAvailable();
        if (source == null && properties.apiUrl() != null) {
            String workerToken = environment.getProperty("cronhook.internal-token", "");
            if (workerToken.isBlank()) {
                log.warn("no CRONHOOK_INTERNAL_TOKEN: the api will refuse this executor a run's secrets");
            }
            source = new HttpRunSecretsSource(properties.apiUrl(), workerToken);
        }
        if (source == null) {
            log.warn("no api in this process and no cronhook.executor.api-url: runs get no secrets");
        }
        return new RunSecretsResolver(source, infisical::fetch);
    }

    @Bean
    @ConditionalOnMissingBean
    RunWorkerLifecycle runWorker(
            RedisClient redisClient,
            StatefulRedisConnection<String, String> redisConnection,
            ScriptRuntime scriptRuntime,
            ExecutorProperties properties,
            RunSecretsResolver secrets,
            ObjectProvider<LogShipper> shipper,
            ObjectProvider<FinishedRuns> finishedRuns,
            ExecutorName name) {
        var settings = new RunWorker.Settings(
                name.value(),
                properties.concurrency(),
                properties.visibilityTimeout(),
                properties.maxDeliveries(),
                properties.keyTtl(),
                properties.runningAfter());
        var worker = dev.cronhook.executor.worker.redis.RedisRunWorkers.create(
                redisClient, redisConnection, scriptRuntime, settings, secrets, shipper.getIfAvailable());
        // the api in this process: its waiting callers hear of ends from here, before the announcement comes back
        var board = finishedRuns.getIfAvailable();
        if (board != null) worker.publishingTo(board::publishedHere);
        return new RunWorkerLifecycle(worker);
    }

    /**
     * Where the try-out role runs in another process (its own pod): the blank image it built into the registry and
     * named in Redis, for this executor's blank shared sandboxes (the try-out role in this process hands it over
     * itself).
     */
    @Bean
    @ConditionalOnBooleanProperty(name = "cronhook.role.try-out.enabled", havingValue = false, matchIfMissing = true)
    PublishedBlankImage publishedBlankImage(
            ScriptRuntime scriptRuntime,
            StatefulRedisConnection<String, String> redisConnection,
            ExecutorProperties properties) {
        if (scriptRuntime instanceof DockerScriptRuntime docker
                && docker.sharesSandboxes()
                && properties.sharedBlanksReady() > 0) {
            return new PublishedBlankImage(
                    redisConnection,
                    docker,
                    properties.defaultMemoryMb(),
                    properties.sharedBlanksReady(),
                    java.time.Duration.ofSeconds(30),
                    java.time.Duration.ofMinutes(10));
        }
        return PublishedBlankImage.none();
    }

    /**
     * This executor as the api's way to hand runs over directly, where the api runs in this process
     * ({@code cronhook.executor.direct-runs}, default true).
     */
    @Bean
    @ConditionalOnBooleanProperty(name = "cronhook.executor.direct-runs", matchIfMissing = true)
    DirectRuns directRuns(RunWorkerLifecycle runWorker) {
        return runWorker.worker();
    }

    static Path workDir(ExecutorProperties properties, Environment environment) {
        if (properties.workDir() != null) return properties.workDir();
        String home = environment.getProperty(
                "cronhook.home",
                Path.of(System.getProperty("user.home"), ".cronhook").toString());
        return Path.of(home, "executor");
    }

    /**
     * Where the Docker runtime makes the harnesses' socket directories (a path the engine sees too): {@code
     * cronhook.executor.socket-dir}, else {@code <work dir>/sockets}; null with {@code harness-socket=false}.
     */
    static Path socketDir(ExecutorProperties properties, Environment environment) {
        if (!properties.harnessSocket()) return null;
        // one set explicitly must work (the runtime refuses a path too long); the default may not, on a long home
        if (properties.socketDir() != null) return properties.socketDir();
        Path preferred = workDir(properties, environment).resolve("sockets").toAbsolutePath();
        var dir = SocketDirs.fitting(preferred, "executor", preferred.toString());
        if (dir.isEmpty()) {
            log.warn(
                    "{} is too long for a Unix socket address (at most {} bytes) and no short one of ours is free"
                            + " in the temporary directory: harnesses are spoken to through the Docker engine, which"
                            + " costs more CPU per run, and scripts get no network at all (their egress proxy lives"
                            + " there); set CRONHOOK_EXECUTOR_SOCKET_DIR to a shorter path",
                    preferred,
                    DockerScriptRuntime.maxSocketDirBytes());
            return null;
        }
        if (!dir.get().equals(preferred)) {
            log.info("{} is too long for a Unix socket address: sockets go to {}", preferred, dir.get());
        }
        return dir.get();
    }
}

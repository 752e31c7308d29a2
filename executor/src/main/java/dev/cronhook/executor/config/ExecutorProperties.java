package dev.cronhook.executor.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code cronhook.executor.*}: which runtime runs scripts, how warm containers are kept, the limits and caps. {@code
 * unsafeProcessRuntime} ({@code CRONHOOK_UNSAFE_PROCESS_RUNTIME}) lets the process runtime run scripts without a
 * sandbox where none can be made: only for a single-user machine. {@code sharedSandboxes}: a tenant's (a user's
 * environment's) Node.js scripts share warm containers in Docker, one call at a time each; idle ones holding at most
 * {@code maxSharedMemory} together (default: a quarter of the memory this process sees) and at most {@code
 * maxShared} of them, {@code maxSharedPerTenant} busy per tenant, each retired after loading {@code
 * scriptsPerSharedSandbox} script versions; {@code sharedBlanksReady} blank containers of {@code defaultMemoryMb}
 * kept started for the first call of a tenant new to this executor, where this process builds a blank image (its
 * try-out role). {@code registry} (default: {@code
 * cronhook.builder.registry}), with {@code registryUsername}/{@code registryPassword} (default: the builder's for the
 * same host, else the host's entry in {@code $DOCKER_CONFIG/config.json}) and {@code insecureRegistry} (default: plain
 * HTTP for localhost and 127.0.0.1 only): the registry shared sandboxes read script versions' code from, by layer
 * digest. {@code directRuns}: where the api runs in this process too, its sync webhook runs of scripts without a
 * concurrency limit come to this executor directly (recorded and traced as every run, without the run queue's round
 * trips) while one of its {@code concurrency} slots, which it shares with the runs from the queue, is free.
 */
@ConfigurationProperties("cronhook.executor")
public record ExecutorProperties(
        @DefaultValue("auto") RuntimeKind runtime,
        @DefaultValue("unix:///var/run/docker.sock") String dockerHost,
        @DefaultValue("none") String network,
        @DefaultValue("auto") String ociRuntime,
        @DefaultValue("node") String node,
        @DefaultValue("false") boolean unsafeProcessRuntime,
        Path workDir,
        @DefaultValue("true") boolean harnessSocket,
        Path socketDir,
        String consumerName,
        @DefaultValue("32") int concurrency,
        @DefaultValue("5m") Duration warmIdleTime,
        @DefaultValue("32") int maxWarm,
        @DefaultValue("16") int maxWarmPerScript,
        @DefaultValue("1048576") int maxResultBytes,
        @DefaultValue("10000") int maxLogLines,
        @DefaultValue("16384") int maxLineChars,
        @DefaultValue("128") int pidsLimit,
        @DefaultValue("1.0") double cpus,
        @DefaultValue("64") int tmpMb,
        @DefaultValue("256") int defaultMemoryMb,
        @DefaultValue("30s") Duration startTimeout,
        @DefaultValue("30s") Duration visibilityTimeout,
        @DefaultValue("3") int maxDeliveries,
        @DefaultValue("1d") Duration keyTtl,
        @DefaultValue("100ms") Duration runningAfter,
        URI apiUrl,
        @DefaultValue("30s") Duration secretsCacheTtl,
        @DefaultValue("true") boolean sharedSandboxes,
        @DefaultValue("4096") int maxShared,
        DataSize maxSharedMemory,
        @DefaultValue("16") int maxSharedPerTenant,
        @DefaultValue("1024") int scriptsPerSharedSandbox,
        @DefaultValue("2") int sharedBlanksReady,
        String registry,
        String registryUsername,
        String registryPassword,
        Boolean insecureRegistry,
        @DefaultValue("true") boolean directRuns) {

    /** Where scripts run: in Docker, as local processes, or in Docker when an engine answers. */
    public enum RuntimeKind {
        DOCKER,
        PROCESS,
        AUTO
    }
}

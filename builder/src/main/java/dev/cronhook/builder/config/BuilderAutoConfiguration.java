package dev.cronhook.builder.config;

import dev.cronhook.builder.BuildPipeline;
import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.image.BundleImageBuilder;
import dev.cronhook.builder.image.DockerEngine;
import dev.cronhook.builder.image.ImageBuilder;
import dev.cronhook.builder.image.ImageTarget;
import dev.cronhook.builder.image.JibImageBuilder;
import dev.cronhook.builder.npm.DependencyInstaller;
import dev.cronhook.builder.npm.NpmDependencyInstaller;
import dev.cronhook.builder.npm.NpmSettings;
import dev.cronhook.builder.pip.PipDependencyInstaller;
import dev.cronhook.builder.pip.PipSettings;
import dev.cronhook.builder.worker.BuildWorker;
import dev.cronhook.core.harness.LanguageRuntime;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * The builder role: an npm {@link DependencyInstaller} (and pip's, for Python), an {@link ImageBuilder} for the configured target, and a
 * {@link BuildWorker} consuming the build queue. Active with {@code cronhook.role.builder.enabled=true}; expects
 * the app's {@link RedisClient} and {@link StatefulRedisConnection}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty("cronhook.role.builder.enabled")
@EnableConfigurationProperties(BuilderProperties.class)
public class BuilderAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(BuilderAutoConfiguration.class);

    @Bean
    @Primary
    @ConditionalOnMissingBean
    DependencyInstaller npmDependencyInstaller(BuilderProperties properties, Environment environment) {
        var settings = new NpmSettings(
                Arrays.asList(properties.npmCommand().trim().split("\\s+")),
                properties.npmRegistry(),
                properties.npmTimeout(),
                properties.maxNodeModulesMb() * 1024 * 1024,
                properties.resolutionTtl(),
                retry(properties));
        return new NpmDependencyInstaller(cacheDir(properties, environment), settings);
    }

    /** Python requirements; the npm installer stays the primary {@link DependencyInstaller}. */
    @Bean
    @ConditionalOnMissingBean
    PipDependencyInstaller pipDependencyInstaller(BuilderProperties properties, Environment environment) {
        var settings = new PipSettings(
                properties.pythonBinary(),
                properties.pipIndexUrl(),
                properties.pipTimeout(),
                properties.maxSitePackagesMb() * 1024 * 1024,
                properties.resolutionTtl(),
                retry(properties));
        return new PipDependencyInstaller(cacheDir(properties, environment), settings);
    }

    @Bean
    @ConditionalOnMissingBean
    ImageBuilder imageBuilder(BuilderProperties properties, Environment environment) {
        Path cacheDir = cacheDir(properties, environment);
        var target = properties.target();
        if (target == BuilderProperties.Target.AUTO) {
            if (properties.registry() != null && !properties.registry().isBlank()) {
                target = BuilderProperties.Target.REGISTRY;
            } else if (DockerEngine.isReachable(properties.dockerExecutable())) {
                target = BuilderProperties.Target.DOCKER;
            } else {
                target = BuilderProperties.Target.BUNDLE;
            }
            log.info(
                    "cronhook.builder.target=auto: building to {}",
                    target.name().toLowerCase());
        }
        return switch (target) {
            case REGISTRY -> {
                if (properties.registry() == null || properties.registry().isBlank()) {
                    throw new IllegalStateException(
                            "cronhook.builder.target=registry needs cronhook.builder.registry (e.g. 127.0.0.1:5000)");
                }
                yield new JibImageBuilder(
                        new ImageTarget.Registry(
                                properties.registry(),
                                properties.registryUsername(),
                                properties.registryPassword(),
                                properties.registryAllowsPlainHttp()),
                        JibImageBuilder.baseImages(properties.baseImage(), properties.pythonBaseImage()),
                        JibImageBuilder.interpreters(properties.nodeBinary(), properties.pythonBinary()),
                        cacheDir,
                        retry(properties));
            }
            case DOCKER -> {
                var builder = new JibImageBuilder(
                        new ImageTarget.DockerDaemon(properties.dockerExecutable()),
                        JibImageBuilder.baseImages(properties.baseImage(), properties.pythonBaseImage()),
                        JibImageBuilder.interpreters(properties.nodeBinary(), properties.pythonBinary()),
                        cacheDir,
                        retry(properties));
                // the executors of this host link each version's code from there instead of reading the image
                builder.handOffCode(dev.cronhook.core.build.CodeHandoff.configured(
                        environment.getProperty("cronhook.code-handoff-dir"),
                        environment.getProperty("cronhook.home")));
                yield builder;
            }
            case BUNDLE, AUTO ->
                new BundleImageBuilder(
                        properties.bundleDir() != null ? properties.bundleDir() : cacheDir.resolve("bundles"));
        };
    }

    /** Every six hours, the code handed off for images unused for {@code code-handoff-retention} goes. */
    @Bean(destroyMethod = "close")
    dev.cronhook.builder.image.HandoffPruning handoffPruning(ImageBuilder images, BuilderProperties properties) {
        var handoff = images instanceof JibImageBuilder jib ? jib.codeHandoff() : null;
        return dev.cronhook.builder.image.HandoffPruning.start(
                handoff, properties.codeHandoffRetention(), java.time.Duration.ofHours(6));
    }

    @Bean
    @ConditionalOnMissingBean
    BuildPipeline buildPipeline(
            DependencyInstaller dependencies, ObjectProvider<PipDependencyInstaller> pip, ImageBuilder images) {
        var installers = new java.util.HashMap<String, DependencyInstaller>();
        installers.put(LanguageRuntime.NODE.resolver(), dependencies);
        pip.ifAvailable(p -> installers.put(LanguageRuntime.PYTHON.resolver(), p));
        return new BuildPipeline(installers, images, Clock.systemUTC());
    }

    @Bean
    BuildWorkerLifecycle buildWorkerLifecycle(
            BuilderProperties properties,
            RedisClient redisClient,
            StatefulRedisConnection<String, String> redisConnection,
            BuildPipeline pipeline) {
        var settings = new BuildWorker.Settings(
                consumerName(),
                properties.concurrency(),
                properties.visibilityTimeout(),
                properties.logTtl(),
                properties.stopGrace());
        return new BuildWorkerLifecycle(dev.cronhook.builder.worker.redis.RedisBuildWorkers.create(
                redisClient, redisConnection, pipeline, settings, Clock.systemUTC()));
    }

    private static RetryPolicy retry(BuilderProperties properties) {
        return new RetryPolicy(
                properties.attempts(),
                properties.retryBackoff(),
                properties.retryBackoff().multipliedBy(10));
    }

    static Path cacheDir(BuilderProperties properties, Environment environment) {
        if (properties.cacheDir() != null) return properties.cacheDir().toAbsolutePath();
        String home = environment.getProperty("cronhook.home");
        if (home == null || home.isBlank()) {
            home = Path.of(System.getProperty("user.home"), ".cronhook").toString();
        }
        return Path.of(home, "builder").toAbsolutePath();
    }

    private static String consumerName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "builder";
        }
        return "builder-" + host + "-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }
}

package dev.cronhook.tryout.config;

import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.npm.DependencyInstaller;
import dev.cronhook.builder.npm.NpmDependencyInstaller;
import dev.cronhook.builder.npm.NpmSettings;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.process.ProcessScriptRuntime;
import dev.cronhook.tryout.TryOutController;
import dev.cronhook.tryout.TryOutService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The try-out role: {@code POST /api/try-out}. Uses the builder's npm installer (the same cache under
 * {@code cronhook.home/builder}, so dependencies installed for a saved script are reused) and the executor's
 * process runtime, which starts fastest; its isolation is the pod's, see README.
 */
@AutoConfiguration
// the endpoint authenticates through the api in the same process: a try-out role alone serves nothing yet
@ConditionalOnBooleanProperty(name = {"cronhook.role.try-out.enabled", "cronhook.role.api.enabled"})
@Import(TryOutController.class)
public class TryOutConfiguration {

    @Bean(destroyMethod = "close")
    ProcessScriptRuntime tryOutRuntime(
            @Value("${cronhook.home}") Path home, @Value("${cronhook.executor.node:node}") String node) {
        var limits = new RuntimeLimits(1024 * 1024, 10_000, 16_384, 128, 1.0, 64, 256, Duration.ofSeconds(30));
        LoggerFactory.getLogger(TryOutConfiguration.class)
                .warn("try-out runs unsaved code as local node processes: they are not isolated from this host;"
                        + " run the try-out role in its own pod or machine");
        return new ProcessScriptRuntime(
                node,
                home.resolve("try-out"),
                limits,
                new HarnessScriptRuntime.WarmSettings(1, Duration.ofSeconds(1), 1));
    }

    @Bean
    TryOutService tryOutService(
            ObjectProvider<DependencyInstaller> builderInstaller,
            ProcessScriptRuntime tryOutRuntime,
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
        return new TryOutService(
                installer,
                home.resolve("try-out").resolve("bundles"),
                tryOutRuntime,
                new TryOutService.Limits(timeout, memoryMb));
    }
}

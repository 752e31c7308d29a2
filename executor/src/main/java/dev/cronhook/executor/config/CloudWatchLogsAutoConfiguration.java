package dev.cronhook.executor.config;

import dev.cronhook.core.log.LogStore;
import dev.cronhook.executor.logs.LogShipper;
import dev.cronhook.executor.logs.cloudwatch.CloudWatchLogStore;
import java.net.URI;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

/**
 * CloudWatch Logs as the log store, in every role, when {@code cronhook.logs.cloudwatch.log-group} is set:
 * executors ship run logs there, the api reads them back for the run page. Credentials come from the AWS default
 * chain (environment, profile, instance role).
 */
@AutoConfiguration
@ConditionalOnProperty(name = "cronhook.logs.cloudwatch.log-group")
@EnableConfigurationProperties(CloudWatchLogsAutoConfiguration.CloudWatchProperties.class)
public class CloudWatchLogsAutoConfiguration {

    /** cronhook.logs.cloudwatch.*: region, log group and, for tests, an endpoint override. */
    @ConfigurationProperties("cronhook.logs.cloudwatch")
    public record CloudWatchProperties(String region, String logGroup, URI endpoint) {}

    @Bean(destroyMethod = "close")
    CloudWatchLogsClient cloudWatchLogsClient(CloudWatchProperties properties) {
        var builder = CloudWatchLogsClient.builder()
                .httpClientBuilder(ApacheHttpClient.builder())
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .overrideConfiguration(o -> o.retryStrategy(CloudWatchLogStore.retryStrategy()));
        if (properties.region() != null && !properties.region().isBlank()) {
            builder.region(Region.of(properties.region()));
        }
        if (properties.endpoint() != null) builder.endpointOverride(properties.endpoint());
        return builder.build();
    }

    @Bean
    LogStore cloudWatchLogStore(CloudWatchLogsClient client, CloudWatchProperties properties) {
        return new CloudWatchLogStore(client, properties.logGroup());
    }

    @Bean(destroyMethod = "close")
    LogShipper logShipper(LogStore cloudWatchLogStore) {
        return LogShipper.start(cloudWatchLogStore);
    }
}

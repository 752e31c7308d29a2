package dev.cronhook.executor.logs.cloudwatch;

import dev.cronhook.core.log.LogStore;
import dev.cronhook.executor.logs.LogStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

/**
 * {@link CloudWatchLogStore} keeps the {@link LogStore} contract, through the SDK with its default retries, against
 * {@link CloudWatchLogsStandIn} (which cannot prove what AWS itself would accept; see {@link CloudWatchLogStoreIT}).
 */
class CloudWatchLogStoreContractIT extends LogStoreContract {

    private CloudWatchLogsStandIn cloudWatch;
    private CloudWatchLogsClient client;
    private CloudWatchLogStore store;

    @BeforeEach
    void start() throws Exception {
        cloudWatch = CloudWatchLogsStandIn.start();
        client = CloudWatchLogsClient.builder()
                .endpointOverride(cloudWatch.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSTANDIN", "stand-in-secret")))
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
        store = new CloudWatchLogStore(client, "/cronhook/contract");
    }

    @AfterEach
    void stop() {
        client.close();
        cloudWatch.close();
    }

    @Override
    protected LogStore store() {
        return store;
    }
}

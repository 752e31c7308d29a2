package dev.cronhook.executor.secrets;

import dev.cronhook.core.secret.RunSecrets;
import dev.cronhook.core.secret.RunSecretsSource;
import dev.cronhook.core.secret.SecretsUnavailableException;
import dev.cronhook.core.secret.WorkerCredential;
import dev.cronhook.core.wire.Wire;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/**
 * {@link RunSecretsSource} for executors in a split deployment: asks the api on its management port ({@code GET
 * /internal/runs/{id}/secrets} with {@code Authorization: Run <token>} and the workers' own credential in {@link
 * WorkerCredential#HEADER}); executors hold no database credentials.
 */
public final class HttpRunSecretsSource implements RunSecretsSource {
    private final URI apiUrl;
    private final String workerToken;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public HttpRunSecretsSource(URI apiUrl, String workerToken) {
        this.apiUrl = apiUrl;
        this.workerToken = workerToken == null ? "" : workerToken;
    }

    @Override
    public RunSecrets forRun(UUID runId, String runToken) {
        var request = HttpRequest.newBuilder(apiUrl.resolve("/internal/runs/" + runId + "/secrets"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Run " + runToken)
                .header(WorkerCredential.HEADER, workerToken)
                .GET()
                .build();
        try {
            var response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 || response.statusCode() == 404) {
                // 404: the URL is the api's public port, where /internal is not served
                throw new SecretsUnavailableException(
                        "the api answered " + response.statusCode()
                                + " (is CRONHOOK_EXECUTOR_API_URL the api's management port, and CRONHOOK_INTERNAL_TOKEN set?)");
            }
            if (response.statusCode() != 200) {
                throw new SecretsUnavailableException("the api answered " + response.statusCode());
            }
            return Wire.json().readValue(response.body(), RunSecrets.class);
        } catch (IOException e) {
            throw new SecretsUnavailableException("the api cannot be reached: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretsUnavailableException("interrupted", e);
        }
    }
}

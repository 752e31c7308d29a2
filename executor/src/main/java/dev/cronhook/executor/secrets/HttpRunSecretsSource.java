package dev.cronhook.executor.secrets;

import dev.cronhook.core.secret.RunSecrets;
import dev.cronhook.core.secret.RunSecretsSource;
import dev.cronhook.core.secret.SecretsUnavailableException;
import dev.cronhook.core.wire.Wire;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/**
 * {@link RunSecretsSource} for executors in a split deployment: asks the api ({@code GET
 * /internal/runs/{id}/secrets} with {@code Authorization: Run <token>}); executors hold no database credentials.
 */
public final class HttpRunSecretsSource implements RunSecretsSource {
    private final URI apiUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public HttpRunSecretsSource(URI apiUrl) {
        this.apiUrl = apiUrl;
    }

    @Override
    public RunSecrets forRun(UUID runId, String runToken) {
        var request = HttpRequest.newBuilder(apiUrl.resolve("/internal/runs/" + runId + "/secrets"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Run " + runToken)
                .GET()
                .build();
        try {
            var response = http.send(request, HttpResponse.BodyHandlers.ofString());
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

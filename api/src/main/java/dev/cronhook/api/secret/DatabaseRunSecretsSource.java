package dev.cronhook.api.secret;

import dev.cronhook.api.run.RunRepository;
import dev.cronhook.core.secret.RunSecrets;
import dev.cronhook.core.secret.RunSecretsSource;
import dev.cronhook.core.secret.SecretsUnavailableException;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The api's side of {@link RunSecretsSource}: checks the run's token and that the run has not ended, then opens
 * the owner's and the script's secrets. In the all-in-one process executors call it directly; in a split
 * deployment through {@code GET /internal/runs/{id}/secrets}.
 */
@Component
public class DatabaseRunSecretsSource implements RunSecretsSource {
    private final RunTokens tokens;
    private final RunRepository runs;
    private final SecretService secrets;
    private final TryOutGrants tryOuts;

    public DatabaseRunSecretsSource(RunTokens tokens, RunRepository runs, SecretService secrets, TryOutGrants tryOuts) {
        this.tokens = tokens;
        this.runs = runs;
        this.secrets = secrets;
        this.tryOuts = tryOuts;
    }

    @Override
    public RunSecrets forRun(UUID runId, String runToken) {
        if (!tokens.verify(runId, runToken)) {
            throw new SecretsUnavailableException("the run's token is not valid (expired, or not this run's)");
        }
        var found = runs.findAnyOwner(runId);
        if (found.isEmpty()) {
            // a try-out of a saved script is no run: its grant says whose secrets it opens
            var grant = tryOuts.find(runId).orElseThrow(() -> new SecretsUnavailableException("no run " + runId));
            return forScript(grant.ownerId(), grant.scriptId());
        }
        var run = found.get();
        if (run.status().isFinal()) throw new SecretsUnavailableException("run " + runId + " has ended");
        return forScript(runs.ownerOf(runId).orElseThrow(), run.scriptId());
    }

    private RunSecrets forScript(UUID ownerId, UUID scriptId) {
        return new RunSecrets(
                secrets.valuesFor(ownerId, scriptId),
                secrets.infisicalBinding(scriptId).orElse(null));
    }
}

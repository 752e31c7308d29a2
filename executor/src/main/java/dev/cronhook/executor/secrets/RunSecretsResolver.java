package dev.cronhook.executor.secrets;

import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.secret.InfisicalBinding;
import dev.cronhook.core.secret.RunSecretsSource;
import dev.cronhook.core.secret.SecretsUnavailableException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The environment of one run: the built-in store's secrets from the api (against the run's token), then, when
 * the script is bound to Infisical, its secrets from there (they win on a clash: the binding is the script's
 * explicit choice). Throws {@link SecretsUnavailableException} with the reason, never a value.
 */
public final class RunSecretsResolver {
    private final RunSecretsSource source;
    private final Function<InfisicalBinding, Map<String, String>> infisical;

    public RunSecretsResolver(RunSecretsSource source, Function<InfisicalBinding, Map<String, String>> infisical) {
        this.source = source;
        this.infisical = infisical;
    }

    public Map<String, String> resolve(RunRequest request) {
        return resolve(request.runId(), request.secretsToken());
    }

    /** The environment of the run (or try-out) {@code id} against its token; none without a token. */
    public Map<String, String> resolve(java.util.UUID id, String token) {
        if (token == null || source == null) return Map.of();
        var secrets = source.forRun(id, token);
        var env = new LinkedHashMap<>(secrets.values());
        if (secrets.infisical() != null) {
            if (infisical == null) throw new SecretsUnavailableException("no Infisical client in this executor");
            env.putAll(infisical.apply(secrets.infisical()));
        }
        return env;
    }
}

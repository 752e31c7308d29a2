package dev.cronhook.core.secret;

import java.util.Map;

/**
 * The secrets of one run as the api hands them to the executor running it: the built-in store's values (the
 * user's, overridden by the script's) and, when the script is bound to Infisical, where to fetch the rest.
 */
public record RunSecrets(Map<String, String> values, InfisicalBinding infisical) {
    public RunSecrets {
        values = Map.copyOf(values);
    }

    public static RunSecrets none() {
        return new RunSecrets(Map.of(), null);
    }

    @Override
    public String toString() {
        return "RunSecrets[" + values.keySet() + (infisical == null ? "" : ", " + infisical) + "]";
    }
}

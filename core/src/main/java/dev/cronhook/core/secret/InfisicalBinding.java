package dev.cronhook.core.secret;

/**
 * Where a script's secrets live in Infisical: the site, the project (workspace) id, the environment slug, the
 * secret path, and the machine identity (universal auth client id and secret) that may read them.
 */
public record InfisicalBinding(
        String siteUrl, String projectId, String environment, String secretPath, String clientId, String clientSecret) {

    @Override
    public String toString() {
        // never print the client secret
        return "InfisicalBinding[" + siteUrl + ", project " + projectId + ", " + environment + ", " + secretPath + "]";
    }
}

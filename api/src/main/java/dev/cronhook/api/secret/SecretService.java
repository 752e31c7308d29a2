package dev.cronhook.api.secret;

import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.environment.EnvironmentName;
import dev.cronhook.api.environment.EnvironmentService;
import dev.cronhook.api.error.ScriptNotFoundException;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.net.PrivateAddressException;
import dev.cronhook.core.net.PrivateAddressGuard;
import dev.cronhook.core.secret.InfisicalBinding;
import dev.cronhook.core.validation.Violations;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The built-in secret store: per-user secrets shared by all of a user's scripts, per-script secrets that override
 * them, and a script's Infisical binding. Values go in, never come out through the API.
 */
@Service
public class SecretService {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final int MAX_VALUE_BYTES = 32 * 1024;

    /** What the API shows of an Infisical binding: everything but the client secret. */
    public record InfisicalView(
            String siteUrl, String projectId, String environment, String secretPath, String clientId) {}

    private final SecretRepository secrets;
    private final ScriptRepository scripts;
    private final SecretCipher cipher;
    private final JdbcClient jdbc;
    private final ReadCaches caches;
    private final PrivateAddressGuard guard;
    private final EnvironmentService environments;

    public SecretService(
            SecretRepository secrets,
            ScriptRepository scripts,
            SecretCipher cipher,
            JdbcClient jdbc,
            ReadCaches caches,
            EnvironmentService environments,
            @Value("${cronhook.egress.allow-private:}") String allowPrivate) {
        this.environments = environments;
        this.guard = PrivateAddressGuard.allowing(allowPrivate);
        this.caches = caches;
        this.secrets = secrets;
        this.scripts = scripts;
        this.cipher = cipher;
        this.jdbc = jdbc;
    }

    /** A secret of the script ({@code scriptId}), or with {@code scriptId} null one of the user's in dev. */
    public SecretRepository.SecretInfo put(CurrentUser user, UUID scriptId, String name, String value) {
        return put(user, scriptId, null, name, value);
    }

    /**
     * A secret of the script ({@code scriptId}), or with {@code scriptId} null one of the user's in {@code
     * environment} (null: dev), which every script of that environment sees.
     */
    public SecretRepository.SecretInfo put(
            CurrentUser user, UUID scriptId, String environment, String name, String value) {
        var v = new Violations();
        checkName(name, v);
        if (value == null) v.add("value", "is required");
        else if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            v.add("value", "must be at most 32 KiB");
        }
        v.throwIfAny();
        requireScript(user, scriptId);
        String env = environment(user, scriptId, environment);
        secrets.put(user.id(), scriptId, env, name, cipher.seal(value, context(user.id(), scriptId, name)));
        caches.clearAll();
        return secrets.list(user.id(), scriptId, env).stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    public List<SecretRepository.SecretInfo> list(CurrentUser user, UUID scriptId) {
        return list(user, scriptId, null);
    }

    public List<SecretRepository.SecretInfo> list(CurrentUser user, UUID scriptId, String environment) {
        requireScript(user, scriptId);
        return secrets.list(user.id(), scriptId, environment(user, scriptId, environment));
    }

    public boolean delete(CurrentUser user, UUID scriptId, String name) {
        return delete(user, scriptId, null, name);
    }

    public boolean delete(CurrentUser user, UUID scriptId, String environment, String name) {
        requireScript(user, scriptId);
        String env = environment(user, scriptId, environment);
        caches.clearAll();
        return secrets.delete(user.id(), scriptId, env, name);
    }

    /** The environment of a user secret (checked to be the user's; null: dev); unused for a script's secret. */
    private String environment(CurrentUser user, UUID scriptId, String environment) {
        if (scriptId != null) return null;
        if (environment == null || environment.isBlank()) return EnvironmentName.DEV;
        String problem = EnvironmentName.problem(environment);
        if (problem != null) new Violations().add("environment", problem).throwIfAny();
        environments.require(user.id(), environment);
        return environment;
    }

    /** Whether a run of this script would see any secret: built-in ones, or an Infisical binding. */
    public boolean hasAny(UUID ownerId, UUID scriptId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM secrets WHERE owner_id = ? AND ((script_id IS NULL AND"
                        + " environment = (SELECT environment FROM scripts WHERE id = ?)) OR script_id = ?))"
                        + " OR EXISTS (SELECT 1 FROM infisical_bindings WHERE script_id = ?)")
                .params(ownerId, scriptId, scriptId, scriptId)
                .query(Boolean.class)
                .single();
    }

    /** The values a run of this script sees: the user's secrets, overridden by the script's. */
    public Map<String, String> valuesFor(UUID ownerId, UUID scriptId) {
        var out = new LinkedHashMap<String, String>();
        for (var s : secrets.forScript(ownerId, scriptId)) {
            out.put(
                    s.name(),
                    cipher.open(
                            new SecretCipher.Sealed(s.nonce(), s.ciphertext()),
                            context(ownerId, s.scriptId(), s.name())));
        }
        return out;
    }

    public InfisicalView bindInfisical(
            CurrentUser user,
            UUID scriptId,
            String siteUrl,
            String projectId,
            String environment,
            String secretPath,
            String clientId,
            String clientSecret) {
        var v = new Violations();
        try {
            var uri = URI.create(siteUrl == null ? "" : siteUrl);
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                v.add("siteUrl", "must be an http(s) URL such as https://app.infisical.com");
            } else {
                // the executor will call it: a user's URL must not lead there to a private address (checked again
                // at every call, since the name may resolve differently later)
                try {
                    guard.check(uri);
                } catch (PrivateAddressException e) {
                    v.add("siteUrl", "must be a public address: " + e.getMessage());
                } catch (UnknownHostException e) {
                    // not resolvable now (no DNS here, or not yet): the check at every call still applies
                }
            }
        } catch (IllegalArgumentException e) {
            v.add("siteUrl", "must be an http(s) URL such as https://app.infisical.com");
        }
        if (blank(projectId)) v.add("projectId", "is required");
        if (blank(environment)) v.add("environment", "is required (an environment slug such as prod)");
        if (blank(clientId)) v.add("clientId", "is required (the machine identity's universal-auth client id)");
        if (blank(clientSecret)) v.add("clientSecret", "is required");
        String path = blank(secretPath) ? "/" : secretPath;
        if (!path.startsWith("/")) v.add("secretPath", "must start with /");
        v.throwIfAny();
        requireScript(user, scriptId);
        var sealed = cipher.seal(clientSecret, "infisical/" + scriptId);
        jdbc.sql("INSERT INTO infisical_bindings (script_id, site_url, project_id, environment, secret_path, client_id,"
                        + " client_secret_nonce, client_secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (script_id) DO UPDATE SET site_url = excluded.site_url,"
                        + " project_id = excluded.project_id, environment = excluded.environment,"
                        + " secret_path = excluded.secret_path, client_id = excluded.client_id,"
                        + " client_secret_nonce = excluded.client_secret_nonce,"
                        + " client_secret = excluded.client_secret, updated_at = now()")
                .params(scriptId, siteUrl, projectId, environment, path, clientId, sealed.nonce(), sealed.ciphertext())
                .update();
        caches.clearAll();
        return new InfisicalView(siteUrl, projectId, environment, path, clientId);
    }

    public Optional<InfisicalView> infisicalView(CurrentUser user, UUID scriptId) {
        requireScript(user, scriptId);
        return infisicalBinding(scriptId)
                .map(b -> new InfisicalView(b.siteUrl(), b.projectId(), b.environment(), b.secretPath(), b.clientId()));
    }

    public boolean unbindInfisical(CurrentUser user, UUID scriptId) {
        requireScript(user, scriptId);
        caches.clearAll();
        return jdbc.sql("DELETE FROM infisical_bindings WHERE script_id = ?")
                        .param(scriptId)
                        .update()
                > 0;
    }

    public Optional<InfisicalBinding> infisicalBinding(UUID scriptId) {
        return jdbc.sql("SELECT * FROM infisical_bindings WHERE script_id = ?")
                .param(scriptId)
                .query((rs, n) -> new InfisicalBinding(
                        rs.getString("site_url"),
                        rs.getString("project_id"),
                        rs.getString("environment"),
                        rs.getString("secret_path"),
                        rs.getString("client_id"),
                        cipher.open(
                                new SecretCipher.Sealed(
                                        rs.getBytes("client_secret_nonce"), rs.getBytes("client_secret")),
                                "infisical/" + scriptId)))
                .optional();
    }

    private void requireScript(CurrentUser user, UUID scriptId) {
        if (scriptId != null && scripts.find(user.id(), scriptId).isEmpty()) {
            throw new ScriptNotFoundException(scriptId);
        }
    }

    static void checkName(String name, Violations v) {
        if (name == null || !NAME.matcher(name).matches()) {
            v.add("name", "must be an environment variable name: letters, digits and '_', not starting with a digit");
        }
    }

    private static String context(UUID ownerId, UUID scriptId, String name) {
        return ownerId + "/" + (scriptId == null ? "user" : scriptId) + "/" + name;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

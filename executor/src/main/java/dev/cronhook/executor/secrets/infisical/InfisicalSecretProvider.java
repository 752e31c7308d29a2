package dev.cronhook.executor.secrets.infisical;

import dev.cronhook.core.net.PrivateAddressException;
import dev.cronhook.core.net.PrivateAddressGuard;
import dev.cronhook.core.secret.InfisicalBinding;
import dev.cronhook.core.secret.SecretsUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fetches a run's secrets from Infisical over its REST API, logging in with the binding's universal-auth machine
 * identity. Thread-safe. Access tokens are reused until shortly before they expire, and each binding's secrets for a
 * configurable time; no secret value, client secret or token ever appears in an exception message or a log line.
 */
public final class InfisicalSecretProvider implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InfisicalSecretProvider.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_REASON_CHARS = 300;
    private static final int SWEEP_ABOVE = 256;

    /**
     * Timeouts of the HTTP calls, how long fetched secrets are served from memory, and which private addresses a
     * (user-given) site may resolve to: none unless the operator allowed them.
     */
    public record Settings(
            Duration connectTimeout, Duration requestTimeout, Duration secretsTtl, PrivateAddressGuard guard) {

        public Settings {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(secretsTtl, "secretsTtl");
            Objects.requireNonNull(guard, "guard");
        }

        public Settings(Duration connectTimeout, Duration requestTimeout, Duration secretsTtl) {
            this(connectTimeout, requestTimeout, secretsTtl, PrivateAddressGuard.strict());
        }

        /** Connect 5 s, request 10 s, secrets kept 30 s, no private address. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30));
        }

        public Settings withSecretsTtl(Duration secretsTtl) {
            return new Settings(connectTimeout, requestTimeout, secretsTtl, guard);
        }

        public Settings withGuard(PrivateAddressGuard guard) {
            return new Settings(connectTimeout, requestTimeout, secretsTtl, guard);
        }
    }

    private final Settings settings;
    private final Clock clock;
    private final HttpClient http;
    private final ConcurrentHashMap<Identity, Session> sessions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InfisicalBinding, Cached> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InfisicalBinding, CompletableFuture<Map<String, String>>> inFlight =
            new ConcurrentHashMap<>();

    /** A provider with {@link Settings#defaults()} and the system clock. */
    public InfisicalSecretProvider() {
        this(Settings.defaults(), Clock.systemUTC());
    }

    /** A provider with the given settings; {@code clock} decides when tokens and cached secrets expire. */
    public InfisicalSecretProvider(Settings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                // plain HTTP/1.1: the cleartext HTTP/2 upgrade the JDK client tries by default confuses some
                // proxies in front of self-hosted Infisical, and two small calls gain nothing from HTTP/2
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * The secrets at the binding's path, with imported secrets included (the path's own win over imported ones, a
     * later import over an earlier one) and secret references expanded. Throws {@link SecretsUnavailableException}
     * when Infisical cannot be reached or refuses.
     */
    public Map<String, String> fetch(InfisicalBinding binding) {
        Target target = Target.of(binding);
        refusePrivate(target);
        Cached cached = cache.get(binding);
        if (cached != null && clock.instant().isBefore(cached.expiresAt)) {
            return cached.secrets;
        }
        // one request per binding at a time: runs of the same script starting together share one fetch
        var mine = new CompletableFuture<Map<String, String>>();
        var running = inFlight.putIfAbsent(binding, mine);
        if (running != null) {
            return await(running);
        }
        try {
            // a fetch that finished between our look at the cache and our claim has left fresh secrets behind
            cached = cache.get(binding);
            if (cached != null && clock.instant().isBefore(cached.expiresAt)) {
                mine.complete(cached.secrets);
                return cached.secrets;
            }
            Map<String, String> secrets = load(target);
            cache.put(binding, new Cached(secrets, clock.instant().plus(settings.secretsTtl())));
            sweep();
            mine.complete(secrets);
            return secrets;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(binding, mine);
        }
    }

    @Override
    public void close() {
        http.close();
    }

    private Map<String, String> load(Target target) {
        // keyed by the client secret too, so that a binding with a wrong secret never rides on a token another
        // binding of the same identity obtained
        Session session = sessions.computeIfAbsent(
                new Identity(target.site, target.binding.clientId(), target.binding.clientSecret()),
                identity -> new Session());
        String token = tokenFor(session, target);
        HttpResponse<String> response = send(target, secretsRequest(target, token), "the secrets request");
        if (response.statusCode() == 401) {
            // expired early, revoked, or the server restarted: one fresh login, then give up
            LOG.info(
                    "Infisical at {} refused the access token of client {}; logging in again",
                    target.site,
                    target.binding.clientId());
            session.discard(token);
            token = tokenFor(session, target);
            response = send(target, secretsRequest(target, token), "the secrets request");
        }
        if (response.statusCode() != 200) {
            throw new SecretsUnavailableException(refusal(target, "the secrets request", response, token));
        }
        return secretsOf(target, response.body());
    }

    private String tokenFor(Session session, Target target) {
        Token token = session.token;
        if (token != null && clock.instant().isBefore(token.refreshAt)) {
            return token.value;
        }
        session.lock.lock();
        try {
            token = session.token;
            if (token == null || !clock.instant().isBefore(token.refreshAt)) {
                token = login(target);
                session.token = token;
            }
            return token.value;
        } finally {
            session.lock.unlock();
        }
    }

    private Token login(Target target) {
        Instant sentAt = clock.instant();
        String body = JSON.writeValueAsString(
                Map.of("clientId", target.binding.clientId(), "clientSecret", target.binding.clientSecret()));
        HttpRequest request = HttpRequest.newBuilder(URI.create(target.site + "/api/v1/auth/universal-auth/login"))
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = send(target, request, "the login");
        if (response.statusCode() != 200) {
            throw new SecretsUnavailableException(refusal(target, "the login", response, null));
        }
        JsonNode answer = parse(target, "the login", response.body());
        String accessToken = answer.path("accessToken").asString("");
        if (accessToken.isEmpty()) {
            throw new SecretsUnavailableException(
                    "Infisical at " + target.site + " answered the login without an access token");
        }
        long expiresIn = answer.path("expiresIn").asLong(0);
        // renew a little before Infisical's deadline so a token never expires between our check and its use; a token
        // without a lifetime is used for this fetch only
        long marginSeconds = Math.min(30, expiresIn / 10);
        Instant refreshAt = sentAt.plusSeconds(Math.max(0, expiresIn - marginSeconds));
        LOG.debug(
                "logged in to Infisical at {} as client {} for {} s",
                target.site,
                target.binding.clientId(),
                expiresIn);
        return new Token(accessToken, refreshAt);
    }

    private HttpRequest secretsRequest(Target target, String token) {
        String query = "workspaceId=" + encode(target.binding.projectId())
                + "&environment=" + encode(target.binding.environment())
                + "&secretPath=" + encode(target.secretPath)
                + "&expandSecretReferences=true&recursive=false&includeImports=true";
        return HttpRequest.newBuilder(URI.create(target.site + "/api/v3/secrets/raw?" + query))
                .timeout(settings.requestTimeout())
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .GET()
                .build();
    }

    private HttpResponse<String> send(Target target, HttpRequest request, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new SecretsUnavailableException(
                    what + " to Infisical at " + target.site + " timed out after " + settings.requestTimeout(), e);
        } catch (IOException e) {
            throw new SecretsUnavailableException(
                    what + " to Infisical at " + target.site + " failed: "
                            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretsUnavailableException("interrupted while waiting for " + what + " to Infisical");
        }
    }

    private Map<String, String> secretsOf(Target target, String body) {
        JsonNode answer = parse(target, "the secrets request", body);
        JsonNode own = answer.path("secrets");
        if (!own.isArray()) {
            throw new SecretsUnavailableException(
                    "Infisical at " + target.site + " answered the secrets request without a list of secrets");
        }
        var secrets = new LinkedHashMap<String, String>();
        for (JsonNode imported : answer.path("imports")) {
            putAll(secrets, imported.path("secrets"));
        }
        putAll(secrets, own);
        return Collections.unmodifiableMap(secrets);
    }

    private static void putAll(Map<String, String> into, JsonNode secrets) {
        for (JsonNode secret : secrets) {
            String key = secret.path("secretKey").asString("");
            if (!key.isEmpty()) {
                into.put(key, secret.path("secretValue").asString(""));
            }
        }
    }

    private static JsonNode parse(Target target, String what, String body) {
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            // no cause attached: Jackson quotes the offending input, which may hold a secret
            throw new SecretsUnavailableException(
                    "Infisical at " + target.site + " answered " + what + " with a body that is not JSON");
        }
    }

    /** Why Infisical refused: the status and its {@code message}, with anything secret cut out. */
    private static String refusal(Target target, String what, HttpResponse<String> response, String token) {
        String message = "";
        try {
            message = JSON.readTree(response.body()).path("message").asString("");
        } catch (JacksonException e) {
            // not JSON (a proxy's error page): the status says enough
        }
        message = scrub(message, target.binding.clientSecret());
        message = scrub(message, token);
        message = message.replaceAll("\\p{Cntrl}", " ").strip();
        if (message.length() > MAX_REASON_CHARS) {
            message = message.substring(0, MAX_REASON_CHARS) + "...";
        }
        return "Infisical at " + target.site + " answered " + what + " with HTTP " + response.statusCode()
                + (message.isEmpty() ? "" : ": " + message);
    }

    private static String scrub(String message, String secret) {
        return secret == null || secret.isEmpty() ? message : message.replace(secret, "***");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Map<String, String> await(CompletableFuture<Map<String, String>> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof SecretsUnavailableException unavailable) {
                throw unavailable;
            }
            throw new SecretsUnavailableException(
                    "fetching from Infisical failed: " + e.getCause().getClass().getSimpleName(), e.getCause());
        }
    }

    private void sweep() {
        if (cache.size() > SWEEP_ABOVE) {
            Instant now = clock.instant();
            cache.values().removeIf(cached -> !now.isBefore(cached.expiresAt));
            sessions.values().removeIf(session -> {
                Token token = session.token;
                return token == null || !now.isBefore(token.refreshAt);
            });
        }
    }

    /** A binding checked and normalised for building URLs. */
    /**
     * The site is a user's to choose: it must not lead the executor to a private address (checked again at every
     * fetch, since the name may resolve differently from when the binding was saved).
     */
    private void refusePrivate(Target target) {
        var uri = URI.create(target.site());
        try {
            settings.guard().check(uri);
        } catch (PrivateAddressException e) {
            throw new SecretsUnavailableException("the Infisical site " + e.getMessage());
        } catch (java.net.UnknownHostException e) {
            throw new SecretsUnavailableException("the Infisical site's host " + uri.getHost() + " is not known");
        }
    }

    private record Target(InfisicalBinding binding, String site, String secretPath) {

        static Target of(InfisicalBinding binding) {
            Objects.requireNonNull(binding, "binding");
            requireText(binding.projectId(), "project id");
            requireText(binding.environment(), "environment");
            requireText(binding.clientId(), "client id");
            requireText(binding.clientSecret(), "client secret");
            String site = requireText(binding.siteUrl(), "site URL").strip();
            while (site.endsWith("/")) {
                site = site.substring(0, site.length() - 1);
            }
            URI uri;
            try {
                uri = URI.create(site);
            } catch (IllegalArgumentException e) {
                throw new SecretsUnavailableException("the Infisical site URL is not a URL: " + binding.siteUrl());
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new SecretsUnavailableException(
                        "the Infisical site URL is not an http(s) URL: " + binding.siteUrl());
            }
            String path = binding.secretPath() == null || binding.secretPath().isBlank() ? "/" : binding.secretPath();
            return new Target(binding, site, path);
        }

        private static String requireText(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new SecretsUnavailableException("the Infisical binding has no " + what);
            }
            return value;
        }
    }

    /** A machine identity at one site; the client secret is part of it so wrong secrets never share a token. */
    private record Identity(String site, String clientId, String clientSecret) {
        @Override
        public String toString() {
            return "Identity[" + site + ", " + clientId + "]";
        }
    }

    /** The access token of one identity, replaced under the lock so that concurrent fetches log in once. */
    private static final class Session {
        final ReentrantLock lock = new ReentrantLock();
        volatile Token token;

        void discard(String value) {
            lock.lock();
            try {
                if (token != null && token.value.equals(value)) {
                    token = null;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** An access token and when to stop using it; never printed. */
    private record Token(String value, Instant refreshAt) {
        @Override
        public String toString() {
            return "Token[refresh at " + refreshAt + "]";
        }
    }

    /** Secrets of one binding and until when they may be served; never printed. */
    private record Cached(Map<String, String> secrets, Instant expiresAt) {
        @Override
        public String toString() {
            return "Cached[" + secrets.size() + " secrets until " + expiresAt + "]";
        }
    }
}

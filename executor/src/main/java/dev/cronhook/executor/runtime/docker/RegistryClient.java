package dev.cronhook.executor.runtime.docker;

import dev.cronhook.core.wire.Wire;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads images from one registry over the Docker Registry HTTP API v2 (the OCI distribution API): a manifest by
 * digest, its configuration, and single layer blobs, each checked against its digest. Anonymous, HTTP basic, or the
 * registry token flow (a 401 with {@code WWW-Authenticate: Bearer realm=...,service=...,scope=...}, a token from the
 * realm with the credentials as basic auth); HTTPS unless the access says plain HTTP. Every exchange has a deadline,
 * every body a bound. Thread-safe.
 */
final class RegistryClient {
    /** A manifest or configuration larger than this is not one the builder wrote. */
    static final int MAX_DOCUMENT_BYTES = 4 << 20;

    private static final int MAX_REDIRECTS = 5;

    private final RegistryAccess access;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Duration blobTimeout;
    /** Authorization header values by repository scope (a bearer token, or basic credentials once asked for). */
    private final Map<String, Authorization> authorizations = new ConcurrentHashMap<>();

    private record Authorization(String header, Instant until) {
        boolean fresh() {
            return until == null || Instant.now().isBefore(until);
        }
    }

    /** What a blob's reader does with the blob's content (checked against its digest only once it has read it). */
    interface BlobReader<T> {
        T read(InputStream content) throws IOException;
    }

    RegistryClient(RegistryAccess access, Duration connectTimeout, Duration requestTimeout, Duration blobTimeout) {
        this.access = access;
        this.requestTimeout = requestTimeout;
        this.blobTimeout = blobTimeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** A client with the timeouts an executor uses: 3 s to connect, 10 s for a document, 2 min for a layer. */
    RegistryClient(RegistryAccess access) {
        this(access, Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofMinutes(2));
    }

    RegistryAccess access() {
        return access;
    }

    /** Whether {@code reference} is an image of this client's registry. */
    boolean serves(RegistryReference reference) {
        return reference.host().equalsIgnoreCase(access.host());
    }

    /** The image {@code reference} names: its manifest (checked against the digest) and its configuration. */
    RegistryImage describe(RegistryReference reference) throws IOException, InterruptedException {
        return within(requestTimeout.multipliedBy(2), "the manifest of " + reference, () -> {
            var manifestResponse = get(
                    reference,
                    "/manifests/" + reference.digest(),
                    RegistryImage.ACCEPT,
                    "the manifest of " + reference);
            byte[] body;
            try (var in = manifestResponse.body()) {
                body = readBounded(in, MAX_DOCUMENT_BYTES, "the manifest of " + reference);
            }
            if (!reference.digest().equals(sha256(body))) {
                throw new ImageCodeRefusedException("the registry's manifest of " + reference
                        + " is not the one its digest names (it hashes to " + sha256(body) + ")");
            }
            var manifest = RegistryImage.parseManifest(
                    body, manifestResponse.headers().firstValue("Content-Type").orElse(null));
            var config = manifest.config();
            if (config.size() > MAX_DOCUMENT_BYTES) {
                throw new RegistryUnreadableException("the configuration of " + reference + " is too large");
            }
            byte[] configBody;
            try (var in = get(reference, "/blobs/" + config.digest(), "*/*", "the configuration of " + reference)
                    .body()) {
                configBody = readBounded(in, (int) config.size(), "the configuration of " + reference);
            }
            if (!config.digest().equals(sha256(configBody))) {
                throw new ImageCodeRefusedException("the registry's configuration blob " + config.digest() + " of "
                        + reference + " is not the one its digest names");
            }
            return RegistryImage.of(
                    reference,
                    manifest,
                    RegistryImage.parseConfig(configBody, manifest.layers().size()));
        });
    }

    /**
     * Streams the blob of {@code layer} to {@code reader}, then reads what the reader left and checks the whole against
     * the layer's digest and size: a reader must keep nothing of a blob that fails ({@link ImageCodeRefusedException}).
     * At most {@code maxBytes} are read.
     */
    <T> T readBlob(RegistryReference reference, RegistryImage.Layer layer, long maxBytes, BlobReader<T> reader)
            throws IOException, InterruptedException {
        if (layer.size() > maxBytes) {
            throw new ImageCodeRefusedException(
                    "layer " + layer.digest() + " of " + reference + " is larger than " + maxBytes + " bytes");
        }
        String what = "layer " + layer.digest() + " of " + reference;
        return within(blobTimeout, what, () -> {
            try (var body =
                    get(reference, "/blobs/" + layer.digest(), "*/*", what).body()) {
                var in = new CheckedBlob(body, layer, what);
                T read;
                try {
                    read = reader.read(in);
                } catch (IOException | RuntimeException e) {
                    throw judged(in, e, what);
                }
                in.readToEndAndCheck();
                return read;
            }
        });
    }

    /**
     * What a reader's failure means: bytes that are not the blob's (a broken archive, an entry it refused) are said to
     * be so, whatever the reader made of them; an archive that is the blob but cannot be unpacked here is left to the
     * engine.
     */
    private static Exception judged(CheckedBlob in, Exception failure, String what) {
        if (!(failure instanceof java.io.InterruptedIOException)
                && !Thread.currentThread().isInterrupted()) {
            try {
                in.readToEndAndCheck();
            } catch (ImageCodeRefusedException refused) {
                refused.addSuppressed(failure);
                return refused;
            } catch (IOException drained) {
                failure.addSuppressed(drained);
            }
        }
        if (failure instanceof ImageCodeRefusedException || failure instanceof RegistryUnreadableException) {
            return failure;
        }
        if (failure instanceof IOException io) {
            return new RegistryUnreadableException(what + " could not be unpacked here: " + io.getMessage(), io);
        }
        return failure;
    }

    /** Runs {@code work} on a thread of its own and gives up on it (interrupted) after {@code deadline}. */
    private static <T> T within(Duration deadline, String what, Callable<T> work)
            throws IOException, InterruptedException {
        var task = new FutureTask<>(work);
        var thread = Thread.ofVirtual().name("registry-read").start(task);
        try {
            return task.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            // its reader removes what it wrote: let it, before the caller goes on
            thread.join(Duration.ofSeconds(5));
            throw new RegistryUnreadableException(
                    "reading " + what + " took longer than " + deadline.toMillis() + " ms");
        } catch (InterruptedException e) {
            task.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            var cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof InterruptedException i) throw i;
            throw new IOException(cause);
        }
    }

    /** GET of a path under the repository, authenticating as the registry asks; a response of 200 only. */
    private HttpResponse<InputStream> get(RegistryReference reference, String path, String accept, String what)
            throws IOException, InterruptedException {
        URI uri = URI.create(base() + "/v2/" + reference.repository() + path);
        String scope = "repository:" + reference.repository() + ":pull";
        var known = authorizations.get(scope);
        String authorization = known != null && known.fresh() ? known.header() : null;
        var response = exchange(uri, accept, authorization);
        if (response.statusCode() == 401) {
            var challenges = new ArrayList<AuthChallenge>();
            for (String header : response.headers().allValues("WWW-Authenticate")) {
                challenges.addAll(AuthChallenge.parse(header));
            }
            response.body().close();
            var fresh = authorize(challenges, scope);
            authorizations.put(scope, fresh);
            response = exchange(uri, accept, fresh.header());
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                response.body().close();
                authorizations.remove(scope);
                throw new RegistryUnreadableException(
                        "the registry " + access.host() + " refused " + describeCredentials() + " for " + what);
            }
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new RegistryUnreadableException(
                    "the registry " + access.host() + " answered " + response.statusCode() + " for " + what);
        }
        return response;
    }

    private String describeCredentials() {
        return access.username() == null ? "anonymous access" : "the credentials of " + access.username();
    }

    /** One request, following redirects (a blob store's signed URL), credentials only to the registry itself. */
    private HttpResponse<InputStream> exchange(URI uri, String accept, String authorization)
            throws IOException, InterruptedException {
        URI current = uri;
        for (int hops = 0; ; hops++) {
            var request = HttpRequest.newBuilder(current)
                    .timeout(requestTimeout)
                    .header("Accept", accept)
                    .GET();
            boolean registry = sameOrigin(current, uri);
            if (authorization != null && registry) request.header("Authorization", authorization);
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpTimeoutException e) {
                throw new RegistryUnreachableException(
                        "the registry " + access.host() + " did not answer within " + requestTimeout.toMillis() + " ms",
                        e);
            } catch (ConnectException e) {
                throw new RegistryUnreachableException("cannot connect to the registry " + access.host(), e);
            } catch (IOException e) {
                throw new RegistryUnreachableException("the registry " + access.host() + " could not be read: " + e, e);
            }
            int status = response.statusCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) return response;
            response.body().close();
            var location = response.headers().firstValue("Location").orElse(null);
            if (location == null || hops >= MAX_REDIRECTS) {
                throw new RegistryUnreadableException("the registry " + access.host() + " redirected without end");
            }
            URI next = current.resolve(location);
            if (!"https".equalsIgnoreCase(next.getScheme()) && !(plainHttpAllowed(next))) {
                throw new RegistryUnreadableException(
                        "the registry " + access.host() + " redirected to plain HTTP: " + next.getHost());
            }
            current = next;
        }
    }

    private boolean plainHttpAllowed(URI uri) {
        if (!"http".equalsIgnoreCase(uri.getScheme())) return false;
        return loopback(uri.getHost()) || (access.plainHttp() && sameOrigin(uri, URI.create(base())));
    }

    private static boolean loopback(String host) {
        return host != null
                && (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]") || host.equals("::1"));
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && String.valueOf(a.getHost()).equalsIgnoreCase(String.valueOf(b.getHost()))
                && a.getPort() == b.getPort();
    }

    private String base() {
        return (access.plainHttp() ? "http://" : "https://") + access.host();
    }

    /** The Authorization header a 401's challenges ask for: basic credentials, or a token from the realm. */
    private Authorization authorize(List<AuthChallenge> challenges, String scope)
            throws IOException, InterruptedException {
        for (var challenge : challenges) {
            if (challenge.is("Bearer") && challenge.param("realm") != null) return token(challenge, scope);
        }
        for (var challenge : challenges) {
            if (challenge.is("Basic") && access.username() != null) return new Authorization(basic(), null);
        }
        throw new RegistryUnreadableException("the registry " + access.host() + " asks for "
                + (challenges.isEmpty()
                        ? "authentication it does not name"
                        : challenges.getFirst().scheme())
                + (access.username() == null ? " and no credentials are configured" : ""));
    }

    private String basic() {
        return "Basic "
                + Base64.getEncoder()
                        .encodeToString((access.username() + ":" + access.password()).getBytes(StandardCharsets.UTF_8));
    }

    /** The registry token flow: GET realm?service=...&scope=..., basic credentials when there are some. */
    private Authorization token(AuthChallenge challenge, String scope) throws IOException, InterruptedException {
        URI realm;
        try {
            realm = URI.create(challenge.param("realm"));
        } catch (IllegalArgumentException e) {
            throw new RegistryUnreadableException(
                    "the registry's token realm is not a URL: " + challenge.param("realm"));
        }
        if (realm.getHost() == null
                || !("https".equalsIgnoreCase(realm.getScheme()) || "http".equalsIgnoreCase(realm.getScheme()))) {
            throw new RegistryUnreadableException("the registry's token realm is not a URL: " + realm);
        }
        if (!"https".equalsIgnoreCase(realm.getScheme()) && !plainHttpAllowed(realm)) {
            // the credentials would cross the network in the clear
            throw new RegistryUnreadableException("the registry's token realm is plain HTTP: " + realm);
        }
        var query = new StringBuilder();
        String service = challenge.param("service");
        if (service != null) query.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
        String wanted = challenge.param("scope") != null ? challenge.param("scope") : scope;
        if (!query.isEmpty()) query.append('&');
        query.append("scope=").append(URLEncoder.encode(wanted, StandardCharsets.UTF_8));
        String separator = realm.getRawQuery() == null ? "?" : "&";
        var request = HttpRequest.newBuilder(URI.create(realm + separator + query))
                .timeout(requestTimeout)
                .header("Accept", "application/json")
                .GET();
        if (access.username() != null) request.header("Authorization", basic());
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new RegistryUnreachableException("cannot get a token from " + realm.getHost() + ": " + e, e);
        }
        byte[] body;
        try (var in = response.body()) {
            if (response.statusCode() != 200) {
                throw new RegistryUnreadableException("the registry's token service " + realm.getHost() + " answered "
                        + response.statusCode() + " for " + describeCredentials());
            }
            body = readBounded(in, 1 << 20, "a token");
        }
        tools.jackson.databind.JsonNode json;
        try {
            json = Wire.json().readTree(body);
        } catch (RuntimeException e) {
            throw new RegistryUnreadableException("the registry's token service answered no JSON");
        }
        String token = json.path("token").asString(null);
        if (token == null || token.isBlank()) token = json.path("access_token").asString(null);
        if (token == null || token.isBlank()) {
            throw new RegistryUnreadableException("the registry's token service answered no token");
        }
        long seconds = json.path("expires_in").asLong(60);
        // a little before it expires, so no request goes out with a token about to lapse
        var until = Instant.now().plusSeconds(Math.max(1, seconds - 5));
        return new Authorization("Bearer " + token, until);
    }

    private static byte[] readBounded(InputStream in, int max, String what) throws IOException {
        byte[] body = in.readNBytes(max + 1);
        if (body.length > max) throw new ImageCodeRefusedException(what + " is larger than " + max + " bytes");
        return body;
    }

    static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A blob's bytes as they arrive, hashed and counted: more than its size is refused at once, and {@link
     * #readToEndAndCheck} refuses a blob whose digest or length is not the one named.
     */
    private static final class CheckedBlob extends FilterInputStream {
        private final MessageDigest sha = digest();
        private final RegistryImage.Layer layer;
        private final String what;
        private long count;

        CheckedBlob(InputStream in, RegistryImage.Layer layer, String what) {
            super(in);
            this.layer = layer;
            this.what = what;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (java.io.InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                throw new RegistryUnreadableException("reading " + what + " broke off: " + e.getMessage(), e);
            }
            if (n > 0) {
                sha.update(b, off, n);
                count += n;
                if (count > layer.size()) {
                    throw new ImageCodeRefusedException(what + " is longer than the " + layer.size() + " bytes named");
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            int read = read(buffer, 0, buffer.length);
            return Math.max(read, 0);
        }

        /** Left open for {@link #readToEndAndCheck}: a reader that closes what it read does not end the check. */
        @Override
        public void close() {}

        @Override
        public boolean markSupported() {
            return false;
        }

        void readToEndAndCheck() throws IOException {
            byte[] buffer = new byte[8192];
            while (read(buffer, 0, buffer.length) >= 0) {
                // what the archive's reader did not need (padding after the end of the archive) counts too
            }
            String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
            if (count != layer.size() || !actual.equals(layer.digest())) {
                throw new ImageCodeRefusedException("the registry's " + what + " is not the blob its digest names ("
                        + count + " bytes hashing to " + actual + ")");
            }
        }
    }
}

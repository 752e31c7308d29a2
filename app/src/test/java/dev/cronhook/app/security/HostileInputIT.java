package dev.cronhook.app.security;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.app.testing.WireExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hostile input against the running application: NUL and control characters in webhooks and API fields, and a
 * probe that throws malformed requests (bad JSON, wrong types, huge numbers, NUL bytes in the path, query, body
 * and headers, unknown enum values, bad UUIDs, empty bodies, wrong content types) at every endpoint family over a
 * raw socket, so that nothing a client library would refuse to send is left out.
 */
class HostileInputIT {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static TestPlatform platform;
    static Http http;
    static String token;
    static WireExecutor executor;
    static String scriptId;
    static String hookPath;
    static String runId;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api", Map.of());
        http = platform.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        // the "script" answers with the event it was given
        executor = new WireExecutor(platform.redisUrl(), r -> WireExecutor.succeeded(r, r.eventJson()));
        var created = http.post(
                "/api/scripts", json(Map.of("name", "echo", "code", "export default async (event) => event")), token);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        scriptId = created.json().get("id").asString();
        hookPath = URI.create(created.json().get("webhookUrl").asString()).getPath();
        platform.deploy(UUID.fromString(scriptId), 1, token);
        var run = http.post("/api/scripts/" + scriptId + "/runs", "{\"event\":{\"n\":1}}", token);
        assertThat(run.status()).as(run.toString()).isEqualTo(202);
        runId = run.json().get("id").asString();
    }

    @AfterAll
    static void stop() {
        if (executor != null) executor.close();
        if (platform != null) platform.close();
    }

    @Test
    void aWebhookWhoseBodyAndQueryHoldANulIsStoredAndDeliveredAsSent() {
        String body = "{\"text\":\"a\\u0000b\",\"list\":[\"\\u0000\"],\"k\\u0000ey\":1}";
        var r = raw("POST", hookPath + "/p?q=x%00y", Map.of("Content-Type", "application/json"), bytes(body));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode delivered = JSON.readTree(r.body());
        assertThat(delivered.get("body").get("text").asString()).isEqualTo("a\u0000b");
        assertThat(delivered.get("body").get("k\u0000ey").asInt()).isEqualTo(1);
        assertThat(delivered.get("query").get("q").asString()).isEqualTo("x\u0000y");

        var run = http.get("/api/runs/" + r.header("x-cronhook-run-id"), token);
        assertThat(run.status()).as(run.toString()).isEqualTo(200);
        assertThat(run.json().get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(run.json().get("event")).isEqualTo(delivered);
        assertThat(run.json().get("event").get("rawBody").asString()).isEqualTo(body);
        assertThat(run.json().get("result")).isEqualTo(delivered);
    }

    @Test
    void aManualRunsEventIsShownAsItWasSentWhateverItHolds() {
        for (String event : List.of(
                "{\"nul\":\"\\u0000\",\"ctl\":\"\\u0001\\u001f\"}",
                // an event that looks like the database's own wrapping of one is still the caller's
                "{\"cronhook:json\":\"{}\"}")) {
            var r = http.post("/api/scripts/" + scriptId + "/runs", "{\"event\":" + event + "}", token);
            assertThat(r.status()).as(r.toString()).isEqualTo(202);

            var shown = (tools.jackson.databind.node.ObjectNode)
                    http.get("/api/runs/" + r.json().get("id").asString(), token)
                            .json()
                            .get("event");
            // the platform adds what it knows of the run
            shown.remove(List.of("trigger", "runId"));
            assertThat(shown).as(event).isEqualTo(JSON.readTree(event));
        }
    }

    @Test
    void apiFieldsWithANulOrAControlCharacterAnswer400NamingTheField() {
        record Case(String method, String path, String body, String field) {}
        var cases = List.of(
                new Case(
                        "POST", "/api/scripts", "{\"name\":\"a\\u0000b\",\"code\":\"export default () => 1\"}", "name"),
                new Case(
                        "POST", "/api/scripts", "{\"name\":\"a\\u0007b\",\"code\":\"export default () => 1\"}", "name"),
                new Case("POST", "/api/scripts", "{\"name\":\"nul-code\",\"code\":\"// \\u0000\"}", "code"),
                new Case(
                        "PUT",
                        "/api/scripts/" + scriptId,
                        "{\"name\":\"echo\",\"code\":\"export default () => 1\",\"dependencies\":{\"a\\u0000\":\"1\"}}",
                        "dependencies"),
                new Case(
                        "POST", "/api/users", "{\"username\":\"u\\u0000\",\"password\":\"long-enough-1\"}", "username"),
                new Case(
                        "POST",
                        "/api/users",
                        "{\"username\":\"nul-pass\",\"password\":\"long\\u0000enough\"}",
                        "password"),
                new Case("POST", "/api/tokens", "{\"name\":\"t\\u0000\"}", "name"),
                new Case("PUT", "/api/secrets/NUL_VALUE", "{\"value\":\"v\\u0000v\"}", "value"),
                new Case(
                        "PUT",
                        "/api/scripts/" + scriptId + "/webhook/signature",
                        "{\"secret\":\"s\\u0000s\"}",
                        "secret"),
                new Case("POST", "/api/auth/login", "{\"username\":\"admin\\u0000\",\"password\":\"x\"}", "username"));
        for (var c : cases) {
            var r = raw(
                    c.method(),
                    c.path(),
                    Map.of("Content-Type", "application/json", "Authorization", "Bearer " + token),
                    bytes(c.body()));

            assertThat(r.status()).as(c + " -> " + r).isEqualTo(400);
            assertThat(r.contentType()).as(c.toString()).startsWith("application/problem+json");
            assertThat(JSON.readTree(r.body()).path("errors").findValuesAsString("field"))
                    .as(c + " -> " + r)
                    .anyMatch(field -> field.startsWith(c.field()));
        }
    }

    @Test
    void noMalformedInputGetsA5xxAndEvery4xxIsAProblemDocument() {
        var failures = new ArrayList<String>();
        for (var probe : probes()) {
            Raw r = rawRetried(probe);
            if (r == null) failures.add(probe + " -> no answer");
            else if (r.status() >= 500 || r.status() == 0) failures.add(probe + " -> " + r);
            else if (r.status() >= 400 && !r.contentType().startsWith("application/problem+json"))
                failures.add(probe + " -> not a problem document: " + r);
        }
        assertThat(failures).isEmpty();
    }

    /**
     * Messages that are not HTTP (RFC 9110 allows no control byte but tab in a field value or the request target)
     * or whose header section is over the server's limit: the HTTP server's parser refuses them, before any
     * handler of ours, with a 400 or 431 and no body. Neither a 5xx nor a request that reaches the platform.
     */
    @Test
    void aMessageThatIsNotHttpIsRefusedByTheServerWithA4xx() {
        var failures = new ArrayList<String>();
        for (var probe : malformedMessages()) {
            Raw r = rawRetried(probe);
            if (r == null || r.status() < 400 || r.status() >= 500) failures.add(probe + " -> " + r);
        }
        assertThat(failures).isEmpty();
    }

    static List<Probe> malformedMessages() {
        String run = "/api/runs/" + runId;
        var probes = new ArrayList<Probe>();
        for (String path : List.of(
                "/api/scripts/\u0000",
                "/api/runs?limit=\u0000",
                hookPath + "/\u0000",
                hookPath + "?q=\u0000",
                "/api/\u0007")) {
            probes.add(probe("GET", path, null, ""));
        }
        for (var header : List.of(
                Map.of("X-Probe", "a\u0000b"),
                Map.of("Authorization", "Bearer \u0000"),
                Map.of("Authorization", "Bearer " + "x".repeat(10_000)),
                Map.of("Accept", "\u0000/\u0000"),
                Map.of("Idempotency-Key", "k\u0000"),
                Map.of("Prefer", "respond-async\u0000"))) {
            for (String path : List.of("/api/scripts", run, "/api/runs?limit=1", run + "/logs")) {
                probes.add(new Probe("GET", path, withToken(header), new byte[0]));
            }
            probes.add(new Probe("POST", hookPath, header, bytes("{}")));
        }
        return probes;
    }

    /** A raw request, tried again when the server reset the connection before the answer could be read. */
    static Raw rawRetried(Probe probe) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return raw(probe.method(), probe.path(), probe.headers(), probe.body());
            } catch (IllegalStateException e) {
                // the server answered without reading the whole body (415, 401) and closed: a reset, not an error
            }
        }
        return null;
    }

    record Probe(String method, String path, Map<String, String> headers, byte[] body) {
        @Override
        public String toString() {
            var shown = new LinkedHashMap<String, String>(headers);
            shown.computeIfPresent("Authorization", (k, v) -> v.length() > 40 ? v.substring(0, 40) + "..." : v);
            return (method + " " + path + " " + shown + " " + new String(body, StandardCharsets.UTF_8))
                    .replace("\u0000", "<NUL>");
        }
    }

    static List<Probe> probes() {
        String run = "/api/runs/" + runId;
        String script = "/api/scripts/" + scriptId;
        List<String> jsonEndpoints = List.of(
                "POST /api/auth/login",
                "POST /api/users",
                "PUT /api/users/me/password",
                "POST /api/tokens",
                "POST /api/scripts",
                "PUT " + script,
                "POST " + script + "/runs",
                "PUT " + script + "/webhook/signature",
                "PUT /api/secrets/PROBE",
                "PUT " + script + "/secrets/PROBE",
                "PUT " + script + "/infisical",
                "POST /api/try-out");
        List<String> bodies = List.of(
                "",
                "{",
                "[]",
                "null",
                "\"text\"",
                "{\"name\":{},\"code\":[],\"username\":1,\"password\":true,\"value\":[1],\"event\":1}",
                "{\"name\":\"n\",\"code\":\"c\",\"timeoutSeconds\":1e999999,\"memoryMb\":99999999999999999999999}",
                "{\"name\":\"n\",\"code\":\"c\",\"timeoutSeconds\":-1,\"memoryMb\":1.5,\"maxConcurrency\":\"x\"}",
                "{\"name\":\"n\",\"code\":\"c\",\"cron\":{\"expression\":\"\\u0000\",\"timezone\":\"Mars/Olympus\"}}",
                "{\"name\":\"n\",\"code\":\"c\",\"retry\":{\"maxAttempts\":99999999999,\"backoff\":\"BOGUS\"}}",
                "{\"name\":\"n\",\"code\":\"c\",\"webhook\":{\"enabled\":\"maybe\"}}",
                "{\"expiresInDays\":99999999999999,\"name\":\"t\"}",
                "{\"currentPassword\":\"\\u0000\",\"newPassword\":\"\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\"}",
                "{\"secret\":\"\\u0000\",\"header\":\"X-\\u0000\"}",
                "{\"siteUrl\":\"http://\\u0000\",\"projectId\":\"\\u0000\",\"environment\":\"e\",\"secretPath\":\"/\","
                        + "\"clientId\":\"c\",\"clientSecret\":\"s\"}",
                "{\"code\":\"\\u0000\",\"dependencies\":{\"\\u0000\":\"\\u0000\"},\"event\":{},\"scriptId\":\"not-a-uuid\"}",
                "{\"a\":\"\u0000\"}", // a raw NUL byte: not JSON at all
                "{\"a\":\"\\ud800\"}",
                "{\"a\":1}".repeat(100));
        var probes = new ArrayList<Probe>();
        for (String endpoint : jsonEndpoints) {
            String[] mp = endpoint.split(" ", 2);
            for (String body : bodies) probes.add(probe(mp[0], mp[1], "application/json", body));
            probes.add(probe(mp[0], mp[1], "text/plain", "{\"name\":\"x\"}"));
            probes.add(probe(mp[0], mp[1], "application/xml", "<a/>"));
            probes.add(probe(mp[0], mp[1], "application/json; charset=bogus-charset", "{}"));
            probes.add(probe(mp[0], mp[1], "not a media type", "{}"));
            probes.add(probe(mp[0], mp[1], null, "{}"));
            var invalidUtf8 =
                    new Probe(mp[0], mp[1], withToken(Map.of("Content-Type", "application/json")), new byte[] {
                        '{', '"', 'a', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'
                    });
            probes.add(invalidUtf8);
        }
        List<String> ids = List.of(
                "not-a-uuid",
                "%00",
                "%ff",
                "00000000-0000-0000-0000-00000000000g",
                "99999999999999999999999999999999999999",
                "..%2f..%2fetc",
                "%2e%2e",
                UUID.randomUUID().toString());
        for (String id : ids) {
            for (String path : List.of(
                    "/api/scripts/" + id,
                    "/api/scripts/" + id + "/versions",
                    "/api/scripts/" + id + "/versions/1/build",
                    "/api/scripts/" + id + "/secrets",
                    "/api/scripts/" + id + "/infisical",
                    "/api/scripts/" + id + "/webhook/signature",
                    "/api/runs/" + id,
                    "/api/runs/" + id + "/logs",
                    "/api/tokens/" + id,
                    "/api/secrets/" + id,
                    "/hooks/" + id)) {
                probes.add(probe("GET", path, null, ""));
                probes.add(probe("DELETE", path, null, ""));
            }
            probes.add(probe("POST", "/api/runs/" + id + "/cancel", null, ""));
            probes.add(probe("POST", "/api/scripts/" + id + "/webhook/rotate", null, ""));
            probes.add(probe("POST", "/api/scripts/" + id + "/versions/1/deploy", null, ""));
        }
        for (String version : List.of("x", "-1", "0", "99999999999999999999", "%00", "1.5")) {
            probes.add(probe("GET", script + "/versions/" + version + "/build", null, ""));
            probes.add(probe("POST", script + "/versions/" + version + "/deploy", null, ""));
        }
        for (String query : List.of(
                "limit=x",
                "limit=-5",
                "limit=99999999999999999999",
                "limit=%00",
                "status=BOGUS",
                "status=%00",
                "trigger=nope",
                "since=yesterday",
                "until=%00",
                "since=99999999999-01-01T00:00:00Z",
                "scriptId=not-a-uuid",
                "scriptId=%00",
                "%00=%00",
                "status=SUCCEEDED&status=FAILED&limit=1&limit=2")) {
            probes.add(probe("GET", "/api/runs?" + query, null, ""));
        }
        probes.add(probe("GET", "/api/scripts?x=%00", null, ""));
        probes.add(probe("GET", run + "?%00", null, ""));
        probes.add(probe("GET", "/v3/api-docs?%00", null, ""));
        for (String path : List.of(
                "/api/scripts/%00/..",
                "/api//scripts",
                "/api/./scripts",
                "/api/scripts;jsessionid=x",
                "/api/scripts/%2f",
                "/api/scripts/%5c",
                "/api/scripts%0a",
                hookPath + "/%2e%2e/%2e%2e/api/scripts",
                hookPath + "/a%2fb")) {
            probes.add(probe("GET", path, null, ""));
        }
        for (var header : List.of(
                Map.of("Authorization", "Basic !!!"),
                Map.of("Accept", "bogus"),
                Map.of("Accept", "text/event-stream"),
                Map.of("Accept", "application/json;q=x"),
                Map.of("Content-Type", "a/b/c"))) {
            for (String path : List.of("/api/scripts", run, "/api/runs?limit=1", run + "/logs")) {
                probes.add(new Probe("GET", path, withToken(header), new byte[0]));
            }
            probes.add(new Probe("POST", hookPath, header, bytes("{}")));
        }
        for (String method : List.of("PATCH", "TRACE", "FOO", "OPTIONS")) {
            probes.add(probe(method, "/api/scripts", "application/json", "{}"));
            probes.add(probe(method, script, "application/json", "{}"));
        }
        for (String body : List.of("", "{", "\u0000", "{\"a\":\"\\u0000\"}", "a=%00&b=\u0000", "a=%zz&%=%")) {
            for (String type : List.of(
                    "application/json",
                    "application/x-www-form-urlencoded",
                    "text/plain",
                    "application/octet-stream",
                    "multipart/form-data; boundary=x",
                    "bogus")) {
                probes.add(new Probe("POST", hookPath + "?async=true", Map.of("Content-Type", type), bytes(body)));
            }
        }
        return probes;
    }

    static Probe probe(String method, String path, String contentType, String body) {
        var headers = new LinkedHashMap<String, String>();
        if (contentType != null) headers.put("Content-Type", contentType);
        return new Probe(method, path, withToken(headers), bytes(body));
    }

    static Map<String, String> withToken(Map<String, String> headers) {
        var all = new LinkedHashMap<String, String>();
        all.put("Authorization", "Bearer " + token);
        all.putAll(headers);
        return all;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    record Raw(int status, Map<String, String> headers, String body) {
        String contentType() {
            return headers.getOrDefault("content-type", "");
        }

        String header(String name) {
            return headers.get(name);
        }

        @Override
        public String toString() {
            return status + " " + contentType() + " " + (body.length() > 300 ? body.substring(0, 300) : body);
        }
    }

    /** One HTTP/1.1 request written byte for byte, so that NUL and control bytes go out as they are. */
    static Raw raw(String method, String target, Map<String, String> headers, byte[] body) {
        try (var socket = new Socket("127.0.0.1", URI.create(platform.baseUrl()).getPort())) {
            socket.setSoTimeout(30_000);
            var head =
                    new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (body.length > 0 || !method.equals("GET"))
                head.append("Content-Length: ").append(body.length).append("\r\n");
            head.append("\r\n");
            var out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            return parse(received(socket.getInputStream()));
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + target, e);
        }
    }

    /**
     * What the server sent before it closed. A server that answers without reading the whole request and closes may
     * reset the connection after its answer: the answer received before the reset is kept; a reset before any byte
     * is an error.
     */
    private static byte[] received(InputStream in) throws IOException {
        var got = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) got.write(buffer, 0, n);
        } catch (java.net.SocketException e) {
            if (got.size() == 0) throw e;
        }
        return got.toByteArray();
    }

    private static Raw parse(byte[] bytes) {
        // ISO-8859-1: one char per byte, so that offsets in the text are offsets in the bytes
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) return new Raw(0, Map.of(), text);
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        var headers = new LinkedHashMap<String, String>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0)
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(),
                        lines[i].substring(colon + 1).trim());
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) body = dechunk(body);
        return new Raw(status, headers, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    private static String dechunk(String chunked) {
        var out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", i);
            if (lineEnd < 0) break;
            int size =
                    Integer.parseInt(chunked.substring(i, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) break;
            out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toString();
    }
}

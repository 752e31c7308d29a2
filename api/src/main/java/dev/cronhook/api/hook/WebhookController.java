package dev.cronhook.api.hook;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.db.ReadCache;
import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.error.RateLimitedException;
import dev.cronhook.api.error.WebhookNotFoundException;
import dev.cronhook.api.error.WebhookSignatureInvalidException;
import dev.cronhook.api.run.RunCompletions;
import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.run.RunView;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Webhook ingress: {@code /hooks/{token}[/more/path]} with any method. Sync by default (the caller gets the
 * script's reply); after the sync limit, or at once with {@code Prefer: respond-async} or {@code ?async=true},
 * 202 with the run's URL.
 */
@RestController
public class WebhookController {
    private static final Set<String> HOP_BY_HOP =
            Set.of("connection", "content-length", "transfer-encoding", "keep-alive", "upgrade", "trailer", "te");
    private static final String RUN_ID_HEADER = "X-Cronhook-Run-Id";

    private final ScriptRepository scripts;
    private final RunService runs;
    private final RunRepository runRepository;
    private final RunCompletions completions;
    private final WebhookSignatureRepository signatures;
    private final StatefulRedisConnection<String, String> redis;
    private final WebhookProperties properties;
    private final JsonMapper json;
    private final ReadCache<String, Optional<Target>> targets;

    /** What a webhook token leads to: the script, and its signature check if it has one. */
    private record Target(
            ScriptRepository.ScriptRow script, Optional<WebhookSignatureRepository.Signature> signature) {}

    public WebhookController(
            ScriptRepository scripts,
            RunService runs,
            RunRepository runRepository,
            RunCompletions completions,
            WebhookSignatureRepository signatures,
            StatefulRedisConnection<String, String> redis,
            WebhookProperties properties,
            JsonMapper json,
            ReadCaches caches) {
        this.targets = caches.create(Duration.ofSeconds(1), 10_000);
        this.scripts = scripts;
        this.runs = runs;
        this.runRepository = runRepository;
        this.completions = completions;
        this.signatures = signatures;
        this.redis = redis;
        this.properties = properties;
        this.json = json;
    }

    /** What the ingress decided: the run to follow, whether to wait for it, and whether it is a replay. */
    private record Accepted(UUID runId, boolean async, boolean replay) {}

    @RequestMapping({"/hooks/{token}", "/hooks/{token}/**"})
    public Mono<ResponseEntity<byte[]>> handle(@PathVariable String token, ServerWebExchange exchange) {
        int max = (int) properties.maxBodySize().toBytes();
        return DataBufferUtils.join(exchange.getRequest().getBody(), max)
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                })
                .defaultIfEmpty(new byte[0])
                .onErrorMap(
                        DataBufferLimitException.class,
                        e -> new ResponseStatusException(
                                HttpStatus.CONTENT_TOO_LARGE,
                                "the body is over the webhook limit of " + max + " bytes"))
                .flatMap(body -> {
                    var request = exchange.getRequest();
                    boolean async =
                            "true".equalsIgnoreCase(request.getQueryParams().getFirst("async"))
                                    || String.valueOf(request.getHeaders().getFirst("Prefer"))
                                            .contains("respond-async");
                    var waiting = new UUID[1];
                    return Blocking.call(() -> accept(token, exchange, body, async, waiting))
                            .flatMap(accepted -> reply(accepted))
                            .doFinally(s -> {
                                if (waiting[0] != null) completions.forget(waiting[0]);
                            });
                });
    }

    private Accepted accept(String token, ServerWebExchange exchange, byte[] body, boolean async, UUID[] waiting) {
        var request = exchange.getRequest();
        var target = targets.get(token, t -> scripts.findByWebhookToken(t)
                        .filter(ScriptRepository.ScriptRow::webhookEnabled)
                        .map(row -> new Target(row, signatures.find(row.id()))))
                .orElseThrow(WebhookNotFoundException::new);
        var script = target.script();
        target.signature().ifPresent(sig -> {
            if (!SignatureVerifier.verify(
                    sig.secret(), body, request.getHeaders().getFirst(sig.header()))) {
                throw new WebhookSignatureInvalidException(sig.header());
            }
        });
        rateLimit(script.id());

        var runId = UUID.randomUUID();
        String idempotencyKey = request.getHeaders().getFirst("Idempotency-Key");
        if (idempotencyKey != null && !idempotencyKey.isBlank()) {
            String key = "cronhook:idem:" + script.id() + ":" + idempotencyKey.trim();
            String claimed =
                    redis.sync().set(key, runId.toString(), SetArgs.Builder.nx().ex(properties.idempotencyWindow()));
            if (!"OK".equals(claimed)) {
                var first = UUID.fromString(redis.sync().get(key));
                if (!async) waiting[0] = first;
                return new Accepted(first, async, true);
            }
        }
        if (!async) waiting[0] = runId;
        runs.launch(runId, script, TriggerKind.WEBHOOK, event(exchange, body), null, 1);
        return new Accepted(runId, async, false);
    }

    private void rateLimit(UUID scriptId) {
        long second = System.currentTimeMillis() / 1000;
        String key = "cronhook:rate:" + scriptId + ":" + second;
        var sync = redis.sync();
        long count = sync.incr(key);
        if (count == 1) sync.expire(key, 2);
        if (count > properties.rateLimitPerSecond()) throw new RateLimitedException(properties.rateLimitPerSecond(), 1);
    }

    private ObjectNode event(ServerWebExchange exchange, byte[] body) {
        var request = exchange.getRequest();
        var event = json.createObjectNode();
        event.put("method", request.getMethod().name());
        String full = request.getPath().pathWithinApplication().value();
        int afterToken = full.indexOf('/', "/hooks/".length());
        event.put("path", afterToken < 0 ? "/" : full.substring(afterToken));
        var query = event.putObject("query");
        request.getQueryParams().forEach((name, values) -> {
            if (values.size() == 1) query.put(name, values.getFirst());
            else {
                var array = query.putArray(name);
                values.forEach(array::add);
            }
        });
        var headers = event.putObject("headers");
        request.getHeaders()
                .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", values)));
        if (body.length > 0) {
            String text = new String(body, StandardCharsets.UTF_8);
            event.put("rawBody", text);
            var type = request.getHeaders().getContentType();
            if (type != null && type.isCompatibleWith(MediaType.APPLICATION_JSON)) {
                try {
                    event.set("body", json.readTree(text));
                } catch (RuntimeException e) {
                    event.put("body", text);
                }
            } else if (type != null && type.isCompatibleWith(MediaType.APPLICATION_FORM_URLENCODED)) {
                var form = event.putObject("body");
                for (String pair : text.split("&")) {
                    if (pair.isEmpty()) continue;
                    int eq = pair.indexOf('=');
                    String k =
                            java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    form.put(k, v);
                }
            } else {
                event.put("body", text);
            }
        }
        return event;
    }

    private Mono<ResponseEntity<byte[]>> reply(Accepted accepted) {
        if (accepted.async()) return Mono.just(acceptedReply(accepted.runId()));
        var done = completions.register(accepted.runId());
        // the run may have ended before we listened (a replay, or a very fast run): look once first
        return Blocking.call(() -> runRepository.findAnyOwner(accepted.runId()))
                .flatMap(run -> run.isPresent() && run.get().status().isFinal()
                        ? Mono.just(run.get())
                        : done.timeout(properties.syncTimeout()).then(Blocking.call(() -> runRepository
                                .findAnyOwner(accepted.runId())
                                .orElseThrow())))
                .map(this::finished)
                .onErrorResume(TimeoutException.class, e -> Mono.just(acceptedReply(accepted.runId())));
    }

    private ResponseEntity<byte[]> acceptedReply(UUID runId) {
        String url = "/api/runs/" + runId;
        var body = json.createObjectNode()
                .put("runId", runId.toString())
                .put("status", "QUEUED")
                .put("url", url);
        return ResponseEntity.accepted()
                .location(URI.create(url))
                .header(RUN_ID_HEADER, runId.toString())
                .contentType(MediaType.APPLICATION_JSON)
                .body(json.writeValueAsBytes(body));
    }

    private ResponseEntity<byte[]> finished(RunView run) {
        String id = run.id().toString();
        if (run.status() == RunStatus.SUCCEEDED) {
            if (run.reply() != null) return scriptReply(id, json.readTree(run.reply()));
            String result = run.result() == null ? "null" : run.result();
            return ResponseEntity.ok()
                    .header(RUN_ID_HEADER, id)
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(result.getBytes(StandardCharsets.UTF_8));
        }
        HttpStatus status =
                switch (run.status()) {
                    case TIMED_OUT -> HttpStatus.GATEWAY_TIMEOUT;
                    case CANCELLED -> HttpStatus.CONFLICT;
                    default -> HttpStatus.INTERNAL_SERVER_ERROR;
                };
        String error = run.error() != null
                ? run.error()
                : run.status() == RunStatus.TIMED_OUT
                        ? "the script timed out"
                        : run.status().name().toLowerCase();
        var body = json.createObjectNode().put("error", error).put("runId", id);
        return ResponseEntity.status(status)
                .header(RUN_ID_HEADER, id)
                .contentType(MediaType.APPLICATION_JSON)
                .body(json.writeValueAsBytes(body));
    }

    private ResponseEntity<byte[]> scriptReply(String runId, JsonNode reply) {
        var headers = new HttpHeaders();
        var given = reply.get("headers");
        if (given != null && given.isObject()) {
            for (var entry : given.properties()) {
                if (HOP_BY_HOP.contains(entry.getKey().toLowerCase(Locale.ROOT))) continue;
                if (entry.getValue().isArray())
                    entry.getValue().forEach(v -> headers.add(entry.getKey(), v.asString()));
                else headers.add(entry.getKey(), entry.getValue().asString());
            }
        }
        headers.set(RUN_ID_HEADER, runId);
        var bodyNode = reply.get("body");
        byte[] body = bodyNode == null || bodyNode.isNull()
                ? new byte[0]
                : reply.path("base64").asBoolean(false)
                        ? Base64.getDecoder().decode(bodyNode.asString())
                        : bodyNode.asString().getBytes(StandardCharsets.UTF_8);
        return ResponseEntity.status(reply.path("status").asInt(200))
                .headers(headers)
                .body(body);
    }
}

package dev.cronhook.api.hook;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.db.ReadCache;
import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.error.ProblemWriter;
import dev.cronhook.api.error.RunNotFoundException;
import dev.cronhook.api.error.ScriptPausedException;
import dev.cronhook.api.error.ServiceUnavailableException;
import dev.cronhook.api.error.WebhookNotFoundException;
import dev.cronhook.api.error.WebhookSignatureInvalidException;
import dev.cronhook.api.run.PublishedRunEnds;
import dev.cronhook.api.run.RunCompletions;
import dev.cronhook.api.run.RunLauncher;
import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.run.RunView;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.queue.redis.RedisScript;
import dev.cronhook.core.run.HttpReply;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.ScriptOutputType;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WebhookController.class);
    /** The value of an {@code Idempotency-Key} claimed by a call whose run is not accepted yet: this, the run id. */
    private static final String PENDING = "pending:";

    private static final Duration PENDING_CLAIM = Duration.ofMinutes(2);

    /** The key names the accepted run for the window, if it is still the claim of this call. */
    private static final RedisScript CONFIRM_CLAIM = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            end
            return false
            """, ScriptOutputType.STATUS);

    /** Lets the key go, if it is still the claim of this call. */
    private static final RedisScript RELEASE_CLAIM = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """, ScriptOutputType.INTEGER);

    private final ScriptRepository scripts;
    private final RunService runs;
    private final RunRepository runRepository;
    private final RunCompletions completions;
    private final PublishedRunEnds ends;
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
            PublishedRunEnds ends,
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
        this.ends = ends;
        this.signatures = signatures;
        this.redis = redis;
        this.properties = properties;
        this.json = json;
    }

    /**
     * What the ingress decided: the run to follow, whether to wait for it, whether it is a replay, the run's end (a
     * waiter registered before the launch, null when not waiting) and its acceptance (null for a replay).
     */
    private record Accepted(
            UUID runId,
            boolean async,
            boolean replay,
            Mono<Optional<RunResult>> ended,
            CompletableFuture<RunService.Launched> launched) {}

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
                    // with everything it needs cached the call is accepted right here, else on a thread that may block
                    var now = accept(token, exchange, body, async, false);
                    var accepted = now != null
                            ? Mono.just(now)
                            : Blocking.call(() -> accept(token, exchange, body, async, true));
                    return accepted.flatMap(a -> reply(a).doFinally(s -> completions.forget(a.runId())));
                });
    }

    /** Accepts the call, or with {@code mayBlock} false returns null when it would have to wait for I/O. */
    private Accepted accept(String token, ServerWebExchange exchange, byte[] body, boolean async, boolean mayBlock) {
        var request = exchange.getRequest();
        String idempotencyKey = request.getHeaders().getFirst("Idempotency-Key");
        boolean idempotent = idempotencyKey != null && !idempotencyKey.isBlank();
        var found = mayBlock
                ? targets.get(token, t -> scripts.findByWebhookToken(t)
                        .filter(ScriptRepository.ScriptRow::webhookEnabled)
                        .map(row -> new Target(row, signatures.find(row.id()))))
                : targets.peek(token);
        if (found == null || (idempotent && !mayBlock)) return null;
        var target = found.orElseThrow(WebhookNotFoundException::new);
        var script = target.script();
        if (script.paused()) throw new ScriptPausedException();
        target.signature().ifPresent(sig -> {
            if (!SignatureVerifier.verify(
                    sig.secret(), body, request.getHeaders().getFirst(sig.header()))) {
                throw new WebhookSignatureInvalidException(sig.header());
            }
        });

        var runId = UUID.randomUUID();
        String claim = null;
        if (idempotent) {
            claim = "cronhook:idem:" + script.id() + ":" + idempotencyKey.trim();
            // claimed as pending, for a short while: only a run that was accepted holds the key for the whole window
            String claimed = redis.sync()
                    .set(claim, PENDING + runId, SetArgs.Builder.nx().px(claimTime()));
            if (!"OK".equals(claimed)) {
                String held = redis.sync().get(claim);
                if (held == null || held.startsWith(PENDING)) {
                    // the first call with this key is being accepted, or its process died doing so (the claim
                    // then runs out): nothing to answer for it yet, and nothing accepted here
                    throw new ServiceUnavailableException("a call with this Idempotency-Key is still being accepted,"
                            + " or was not accepted; retry in a moment");
                }
                var first = UUID.fromString(held);
                return new Accepted(first, async, true, async ? null : completions.register(first), null);
            }
        }
        long second = System.currentTimeMillis() / 1000;
        var limit = new RunLauncher.RateLimit(
                "cronhook:rate:" + script.id() + ":" + second, properties.rateLimitPerSecond());
        // the waiter is in place before the run can end
        var ended = async ? null : completions.register(runId);
        var launched = runs.launchWebhook(runId, script, event(exchange, body), limit, mayBlock);
        if (launched == null) {
            if (ended != null) completions.forget(runId);
            return null;
        }
        if (claim != null) launched = settle(claim, runId, launched);
        return new Accepted(runId, async, false, ended, launched);
    }

    /**
     * How long an {@code Idempotency-Key} is held for a call being accepted: longer than accepting takes, short
     * enough that a key whose api replica died while accepting is free again for the caller's next attempt.
     */
    private long claimTime() {
        return Math.min(PENDING_CLAIM.toMillis(), properties.idempotencyWindow().toMillis());
    }

    /**
     * Once the run is accepted the key names it for the whole window (a repeated call gets this run's reply); when
     * it was not (429, 503), the key is let go, so that the caller's next attempt is a call of its own instead of a
     * replay of a run that does not exist. The answer waits for this.
     */
    private CompletableFuture<RunService.Launched> settle(
            String claim, UUID runId, CompletableFuture<RunService.Launched> launched) {
        return launched.handle((accepted, refusal) -> {
                    CompletableFuture<Object> done = accepted != null
                            ? CONFIRM_CLAIM.callAsync(
                                    redis,
                                    new String[] {claim},
                                    PENDING + runId,
                                    runId.toString(),
                                    Long.toString(properties.idempotencyWindow().toMillis()))
                            : RELEASE_CLAIM.callAsync(redis, new String[] {claim}, PENDING + runId);
                    return done.handle((ok, e) -> {
                        // Redis failing here: a pending claim runs out by itself
                        if (e != null) log.debug("Idempotency-Key {} not settled: {}", claim, e.toString());
                        if (refusal != null)
                            throw refusal instanceof CompletionException c ? c : new CompletionException(refusal);
                        return accepted;
                    });
                })
                .thenCompose(f -> f);
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
            var type = contentType(request.getHeaders());
            if (type != null && type.isCompatibleWith(MediaType.APPLICATION_JSON)) {
                try {
                    event.set("body", json.readTree(text));
                } catch (RuntimeException e) {
                    event.put("body", text);
                }
            } else if (type != null && type.isCompatibleWith(MediaType.APPLICATION_FORM_URLENCODED)) {
                try {
                    var form = json.createObjectNode();
                    for (String pair : text.split("&")) {
                        if (pair.isEmpty()) continue;
                        int eq = pair.indexOf('=');
                        String k = java.net.URLDecoder.decode(
                                eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                        String v = eq < 0
                                ? ""
                                : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                        form.put(k, v);
                    }
                    event.set("body", form);
                } catch (IllegalArgumentException e) {
                    // a bad percent escape: the script gets the text as it came
                    event.put("body", text);
                }
            } else {
                event.put("body", text);
            }
        }
        return event;
    }

    /** The request's media type; one that cannot be parsed is none, and the body goes to the script as text. */
    private static MediaType contentType(org.springframework.http.HttpHeaders headers) {
        try {
            return headers.getContentType();
        } catch (org.springframework.http.InvalidMediaTypeException e) {
            return null;
        }
    }

    private Mono<ResponseEntity<byte[]>> reply(Accepted accepted) {
        var runId = accepted.runId();
        Mono<Void> taken = accepted.launched() == null
                ? Mono.empty()
                // suppressCancel: a caller hanging up must not cancel the acceptance of its run
                : Mono.fromFuture(accepted.launched(), true).then();
        if (accepted.async()) return taken.then(Mono.fromSupplier(() -> acceptedReply(runId, RunStatus.QUEUED)));
        Mono<ResponseEntity<byte[]>> waitForIt = accepted.ended()
                .timeout(properties.syncTimeout())
                .flatMap(result -> result.isPresent()
                        ? Mono.just(finished(Ending.of(result.get())))
                        : Blocking.call(() -> finished(read(runId))))
                // past the sync limit the caller learns where the run stands now (RUNNING, most likely)
                .onErrorResume(
                        TimeoutException.class,
                        e -> Blocking.call(() -> {
                            var now = read(runId);
                            return now.status().isFinal() ? finished(now) : acceptedReply(runId, now.status());
                        }));
        if (!accepted.replay()) return taken.then(waitForIt);
        // a replay's run may have ended long ago: look before waiting
        return Blocking.call(() -> Optional.ofNullable(ended(runId)))
                .flatMap(end -> end.isPresent() ? Mono.just(finished(end.get())) : waitForIt);
    }

    /** How the run ended, or null while it has not. */
    private Ending ended(UUID runId) {
        var end = read(runId);
        return end.status().isFinal() ? end : null;
    }

    /**
     * How a run stands, with the result and reply exactly as its executor published them while that record lasts
     * (the database's JSONB reorders and reformats JSON: this way a replay's body is byte for byte the first
     * reply's); the database decides the status once it has recorded one (a run cancelled there stays cancelled).
     */
    private Ending read(UUID runId) {
        var recorded = runRepository.findAnyOwner(runId).orElseThrow(() -> new RunNotFoundException(runId));
        var published = ends.of(runId);
        if (published.isPresent()
                && (!recorded.status().isFinal() || published.get().status() == recorded.status())) {
            return Ending.of(published.get());
        }
        return Ending.of(recorded);
    }

    /** How a run ended, from its announcement or from the database. */
    private record Ending(String runId, RunStatus status, String resultJson, HttpReply reply, String error) {
        static Ending of(RunResult r) {
            return new Ending(r.runId().toString(), r.status(), r.resultJson(), r.reply(), r.error());
        }

        static Ending of(RunView r) {
            var reply = r.reply() == null ? null : Wire.json().readValue(r.reply(), HttpReply.class);
            return new Ending(r.id().toString(), r.status(), r.result(), reply, r.error());
        }
    }

    private ResponseEntity<byte[]> acceptedReply(UUID runId, RunStatus status) {
        String url = "/api/runs/" + runId;
        var body = json.createObjectNode()
                .put("runId", runId.toString())
                .put("status", status.name())
                .put("url", url);
        return ResponseEntity.accepted()
                .location(URI.create(url))
                .header(RUN_ID_HEADER, runId.toString())
                .contentType(MediaType.APPLICATION_JSON)
                .body(json.writeValueAsBytes(body));
    }

    private ResponseEntity<byte[]> finished(Ending run) {
        String id = run.runId();
        if (run.status() == RunStatus.SUCCEEDED) {
            if (run.reply() != null) return scriptReply(id, run.reply());
            String result = run.resultJson() == null ? "null" : run.resultJson();
            return ResponseEntity.ok()
                    .header(RUN_ID_HEADER, id)
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(result.getBytes(StandardCharsets.UTF_8));
        }
        if (run.status() == RunStatus.FAILED
                && run.error() != null
                && run.error().startsWith(Harness.RESULT_TOO_LARGE)) {
            return resultTooLarge(id, run.error());
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

    /** The script answered, but with more than a reply may carry: a bad gateway, as a problem document. */
    private ResponseEntity<byte[]> resultTooLarge(String runId, String error) {
        var body = new java.util.LinkedHashMap<String, Object>(
                ProblemWriter.document(HttpStatus.BAD_GATEWAY, "The script's result is too large", error, null, null));
        body.put("runId", runId);
        return ResponseEntity.status(HttpStatus.BAD_GATEWAY)
                .header(RUN_ID_HEADER, runId)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(json.writeValueAsBytes(body));
    }

    private ResponseEntity<byte[]> scriptReply(String runId, HttpReply reply) {
        var headers = new HttpHeaders();
        reply.headers().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) values.forEach(v -> headers.add(name, v));
        });
        headers.set(RUN_ID_HEADER, runId);
        byte[] body = reply.body() == null
                ? new byte[0]
                : reply.base64()
                        ? Base64.getDecoder().decode(reply.body())
                        : reply.body().getBytes(StandardCharsets.UTF_8);
        return ResponseEntity.status(reply.status()).headers(headers).body(body);
    }
}

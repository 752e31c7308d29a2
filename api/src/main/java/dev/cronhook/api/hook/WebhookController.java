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
import dev.cronhook.api.run.RunLauncher;
import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.run.Admission;
import dev.cronhook.core.run.FinishedRuns;
import dev.cronhook.core.run.HttpReply;
import dev.cronhook.core.run.RunEnd;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
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
import java.util.concurrent.TimeUnit;
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
    private static final Duration PENDING_CLAIM = Duration.ofMinutes(2);

    private final ScriptRepository scripts;
    private final RunService runs;
    private final RunRepository runRepository;
    private final FinishedRuns finished;
    private final PublishedRunEnds ends;
    private final WebhookSignatureRepository signatures;
    private final Admission admission;
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
            FinishedRuns finished,
            PublishedRunEnds ends,
            WebhookSignatureRepository signatures,
            Admission admission,
            WebhookProperties properties,
            JsonMapper json,
            ReadCaches caches) {
        this.targets = caches.create(Duration.ofSeconds(1), 10_000);
        this.scripts = scripts;
        this.runs = runs;
        this.runRepository = runRepository;
        this.finished = finished;
        this.ends = ends;
        this.signatures = signatures;
        this.admission = admission;
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
            CompletableFuture<Optional<RunResult>> ended,
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
                    // with everything it needs cached the call is accepted right here, else as its reads come back
                    return Mono.fromFuture(accept(token, exchange, body, async), true)
                            .flatMap(a -> reply(a).doFinally(s -> finished.forget(a.runId())));
                });
    }

    /**
     * Accepts the call: its script (from the read cache, else loaded off this thread), the checks (paused,
     * signature, idempotency key), then its run. Nothing here blocks the calling thread.
     */
    private CompletableFuture<Accepted> accept(String token, ServerWebExchange exchange, byte[] body, boolean async) {
        var request = exchange.getRequest();
        String idempotencyKey = request.getHeaders().getFirst("Idempotency-Key");
        boolean idempotent = idempotencyKey != null && !idempotencyKey.isBlank();
        return targets.get(token, t -> scripts.findByWebhookToken(t)
                        .filter(ScriptRepository.ScriptRow::webhookEnabled)
                        .map(row -> new Target(row, signatures.find(row.id()))))
                .thenCompose(found -> {
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
                    if (!idempotent) {
                        return CompletableFuture.completedFuture(launch(script, runId, exchange, body, async));
                    }
                    String key = idempotencyKey.trim();
                    // claiming the key is a round trip to the shared store: off this thread
                    return Blocking.supply(() -> admission.claim(script.id(), key, runId, claimTime()))
                            .thenApply(claim -> switch (claim) {
                                case Admission.Claim.Held held ->
                                    new Accepted(
                                            held.runId(),
                                            async,
                                            true,
                                            async ? null : finished.await(held.runId()),
                                            null);
                                case Admission.Claim.Pending pending ->
                                    // the first call with this key is being accepted, or its process died doing so
                                    // (its claim then runs out): nothing to answer for it yet, nothing accepted here
                                    throw new ServiceUnavailableException("a call with this Idempotency-Key is still"
                                            + " being accepted, or was not accepted; retry in a moment");
                                case Admission.Claim.Claimed claimed ->
                                    settled(launch(script, runId, exchange, body, async), script.id(), key);
                            });
                });
    }

    /**
     * How long an {@code Idempotency-Key} is held for a call being accepted: longer than accepting takes, short enough
     * that a key whose api replica died while accepting is free again for the caller's next attempt.
     */
    private Duration claimTime() {
        var window = properties.idempotencyWindow();
        return window.compareTo(PENDING_CLAIM) < 0 ? window : PENDING_CLAIM;
    }

    /**
     * Once the run is accepted the key names it for the whole window (a repeated call gets this run's reply); when it
     * was not (429, 503) the key is let go, so that the caller's next attempt is a call of its own instead of a replay
     * of a run that does not exist. The answer waits for this; a store that fails here leaves the pending claim to
     * run out by itself.
     */
    private Accepted settled(Accepted accepted, UUID scriptId, String key) {
        var runId = accepted.runId();
        CompletableFuture<RunService.Launched> launched = accepted.launched()
                .handle((ok, refusal) -> Blocking.supply(() -> {
                    try {
                        if (refusal == null) admission.confirm(scriptId, key, runId, properties.idempotencyWindow());
                        else admission.release(scriptId, key, runId);
                    } catch (RuntimeException e) {
                        log.debug("Idempotency-Key of run {} not settled: {}", runId, e.toString());
                    }
                    if (refusal != null) {
                        throw refusal instanceof CompletionException c ? c : new CompletionException(refusal);
                    }
                    return ok;
                }))
                .thenCompose(f -> f);
        return new Accepted(runId, accepted.async(), accepted.replay(), accepted.ended(), launched);
    }

    /** Launches the call's run, its end awaited (unless async) before the run can end. */
    private Accepted launch(
            ScriptRepository.ScriptRow script, UUID runId, ServerWebExchange exchange, byte[] body, boolean async) {
        var limit = new RunLauncher.RateLimit(
                script.id(), System.currentTimeMillis() / 1000, properties.rateLimitPerSecond());
        var ended = async ? null : finished.await(runId);
        var launched = runs.accept(RunService.Launch.webhook(runId, script, event(exchange, body), limit, !async));
        return new Accepted(runId, async, false, ended, launched);
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
                // suppressCancel: a caller hanging up must not cancel the acceptance of its run. A future of nothing,
                // not then(): a value dropped by then() is discarded, which looks up the context of the whole chain
                // of subscribers (the server's filters included), 2% of the JVM's CPU a call
                : Mono.fromFuture(accepted.launched().thenRun(() -> {}), true);
        if (accepted.async()) return taken.then(Mono.fromSupplier(() -> acceptedReply(runId, RunStatus.QUEUED)));
        long limit = properties.syncTimeout().toMillis();
        // the sync limit on the future (a copy: the waiter itself is not failed), from subscription on; Reactor's
        // timeout() cost a scheduled task and a look-up of the whole chain's context per call
        Mono<ResponseEntity<byte[]>> waitForIt = Mono.fromFuture(
                        () -> accepted.ended().copy().orTimeout(limit, TimeUnit.MILLISECONDS), true)
                .flatMap(result -> result.isPresent()
                        ? Mono.just(finished(RunEnd.of(result.get())))
                        : Blocking.call(() -> answer(runId, read(runId))))
                // past the sync limit the caller learns where the run stands now (RUNNING, most likely)
                .onErrorResume(TimeoutException.class, e -> Blocking.call(() -> answer(runId, read(runId))));
        if (!accepted.replay()) return taken.then(waitForIt);
        // a replay's run may have ended long ago: look before waiting
        return Blocking.call(() -> read(runId))
                .flatMap(now -> now instanceof Standing.Ended end ? Mono.just(finished(end.end())) : waitForIt);
    }

    /** The answer for a run as it stands: how it ended, or where to follow it. */
    private ResponseEntity<byte[]> answer(UUID runId, Standing now) {
        return switch (now) {
            case Standing.Ended ended -> finished(ended.end());
            case Standing.Open open -> acceptedReply(runId, open.status());
        };
    }

    /** Where a run stands: ended (how), or still open (queued or running). */
    private sealed interface Standing {
        record Ended(RunEnd end) implements Standing {}

        record Open(RunStatus status) implements Standing {}
    }

    /**
     * How a run stands, with the result and reply exactly as its executor published them while that record lasts
     * (the database's JSONB reorders and reformats JSON: this way a replay's body is byte for byte the first
     * reply's); the database decides the status once it has recorded one (a run cancelled there stays cancelled).
     */
    private Standing read(UUID runId) {
        var recorded = runRepository.findAnyOwner(runId).orElseThrow(() -> new RunNotFoundException(runId));
        var published = ends.of(runId);
        if (published.isPresent()
                && (!recorded.status().isFinal() || published.get().status() == recorded.status())) {
            return new Standing.Ended(RunEnd.of(published.get()));
        }
        if (!recorded.status().isFinal()) return new Standing.Open(recorded.status());
        return new Standing.Ended(
                RunEnd.of(recorded.id(), recorded.status(), recorded.result(), recorded.reply(), recorded.error()));
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

    private ResponseEntity<byte[]> finished(RunEnd run) {
        String id = run.runId().toString();
        return switch (run) {
            case RunEnd.Replied r -> scriptReply(id, r.reply());
            case RunEnd.Succeeded r ->
                ResponseEntity.ok()
                        .header(RUN_ID_HEADER, id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .body((r.resultJson() == null ? "null" : r.resultJson()).getBytes(StandardCharsets.UTF_8));
            case RunEnd.Failed r
            when r.error() != null && r.error().startsWith(Harness.RESULT_TOO_LARGE) -> resultTooLarge(id, r.error());
            case RunEnd.Failed r -> failed(id, HttpStatus.INTERNAL_SERVER_ERROR, r.error(), "failed");
            case RunEnd.TimedOut r -> failed(id, HttpStatus.GATEWAY_TIMEOUT, r.error(), "the script timed out");
            case RunEnd.Cancelled r -> failed(id, HttpStatus.CONFLICT, r.error(), "cancelled");
        };
    }

    private ResponseEntity<byte[]> failed(String id, HttpStatus status, String error, String otherwise) {
        var body = json.createObjectNode()
                .put("error", error != null ? error : otherwise)
                .put("runId", id);
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

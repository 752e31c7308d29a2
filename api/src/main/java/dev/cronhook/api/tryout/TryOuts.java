package dev.cronhook.api.tryout;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.error.ProblemWriter;
import dev.cronhook.api.error.ServiceUnavailableException;
import dev.cronhook.api.error.TryOutTimedOutException;
import dev.cronhook.api.script.EgressRequest;
import dev.cronhook.api.script.JavaScriptSyntax;
import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.script.SourceFiles;
import dev.cronhook.core.tryout.TryOutChannel;
import dev.cronhook.core.tryout.TryOutEvent;
import dev.cronhook.core.tryout.TryOutRequest;
import dev.cronhook.core.validation.InvalidInputException;
import dev.cronhook.core.validation.Violations;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * Hands try-outs to the try-out workers and follows them for the caller: checks the code and dependencies, refuses
 * at once when no try-out worker is up, queues the try-out on the {@code try-outs} stream and relays its events
 * from its own stream until it ends. The waiting is bounded: a try-out no worker takes within the pickup timeout,
 * whose worker stopped with no other worker left, or that outlasts the wait timeout, ends with a {@code failed}
 * event that says so (and that tells a worker which takes it later not to run it).
 */
public class TryOuts {
    static final String NOT_RUNNING = "try-out is not running: no process with the try-out role is up"
            + " (cronhook.roles). Save the script and run it instead.";
    private static final Logger log = LoggerFactory.getLogger(TryOuts.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration LOOK_FOR_WORKERS_EVERY = Duration.ofSeconds(2);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    /** How long a caller waits: for a worker to take the try-out, in all, and for a silent worker to count as gone. */
    public record Settings(Duration pickupTimeout, Duration waitTimeout, Duration workerTimeout) {}

    /**
     * Grants a try-out the secrets of a saved script of its user and returns the token for them with the script's
     * egress allow-list. Blocking; throws {@link dev.cronhook.api.error.ScriptNotFoundException} when the script is
     * not the user's.
     */
    @FunctionalInterface
    public interface SecretsGrant {
        Granted grant(UUID tryOutId, UUID userId, UUID scriptId, Duration validFor);
    }

    /** What a saved script gives its try-out: the token for its secrets and where its code may connect. */
    public record Granted(String secretsToken, EgressPolicy egress) {}

    private final WorkQueue<TryOutRequest> queue;
    private final TryOutChannel channel;
    private final Settings settings;
    private final SecretsGrant secrets;

    public TryOuts(WorkQueue<TryOutRequest> queue, TryOutChannel channel, Settings settings, SecretsGrant secrets) {
        this.queue = queue;
        this.channel = channel;
        this.settings = settings;
        this.secrets = secrets;
    }

    /**
     * Starts a try-out (when subscribed) and emits its events up to and including its end. Bad input throws
     * {@link dev.cronhook.core.validation.InvalidInputException} at once; no try-out worker up is an error
     * ({@link ServiceUnavailableException}) before any event.
     */
    public Flux<TryOutEvent> start(UUID userId, TryOutBody body) {
        var v = new Violations();
        var egress = body == null || body.egress() == null ? null : EgressRequest.check(body.egress(), v);
        String language = body == null ? null : body.language();
        var runtime = LanguageRuntime.names().contains(language == null ? "" : language.strip())
                ? LanguageRuntime.of(language)
                : LanguageRuntime.NODE;
        var source = SourceFiles.of(
                body == null ? null : body.files(),
                body == null ? null : body.code(),
                runtime,
                TryOutRequest.MAX_CODE_BYTES,
                v);
        var dependencies = body == null
                ? null
                : source.manifestDependencies() != null
                        ? source.manifestDependencies()
                        : body.requirements() != null ? body.requirements() : body.dependencies();
        TryOutRequest unsaved;
        try {
            unsaved = new TryOutRequest(
                            UUID.randomUUID(),
                            userId,
                            source.code(),
                            dependencies,
                            body == null ? null : body.event(),
                            Instant.now().plus(settings.waitTimeout()),
                            null,
                            null,
                            null,
                            language,
                            source.others())
                    .withEgress(egress);
        } catch (InvalidInputException e) {
            // every field at fault at once: the code's and dependencies' with the allow-list's
            e.violations().forEach(violation -> v.add(violation.field(), violation.message()));
            v.throwIfAny();
            throw e;
        }
        if (unsaved.runtime() == LanguageRuntime.NODE) {
            JavaScriptSyntax.check(body.files() == null ? "code" : "files." + runtime.entryFile(), unsaved.code(), v);
            JavaScriptSyntax.checkModules(unsaved.files(), v);
        }
        v.throwIfAny();
        if (body == null || body.scriptId() == null) return follow(unsaved);
        // the script's secrets (and its allow-list, unless the body gives one): looked up off the event loop, before
        // any event
        return Blocking.call(() -> {
                    var granted = secrets.grant(
                            unsaved.id(), userId, body.scriptId(), Duration.between(Instant.now(), unsaved.deadline()));
                    var saved = unsaved.withSecrets(body.scriptId(), granted.secretsToken());
                    return egress == null ? saved.withEgress(granted.egress()) : saved;
                })
                .flatMapMany(this::follow);
    }

    private Flux<TryOutEvent> follow(TryOutRequest request) {
        return Flux.create(sink -> {
            var gone = new AtomicBoolean();
            sink.onDispose(() -> gone.set(true));
            Thread.ofVirtual().name("try-out-" + request.id()).start(() -> follow(request, sink, gone));
        });
    }

    /** The try-out's answer once it has ended, or the problem that ended it. */
    public Mono<TryOutAnswer> answer(UUID userId, TryOutBody body) {
        return start(userId, body)
                .reduceWith(TryOutTranscript::new, TryOutTranscript::add)
                .flatMap(t -> {
                    if (t.failed() != null) return Mono.error(problem(t.failed()));
                    var answer = t.answer();
                    return answer == null
                            ? Mono.error(new ServiceUnavailableException("the try-out ended without an answer"))
                            : Mono.just(answer);
                });
    }

    /**
     * The try-out as server-sent events, as they happen: {@code started} ({@code attempt}), {@code install} and
     * {@code log} lines ({@code time, stream, text}), then {@code result} (the answer) or {@code error} (a problem
     * document). A comment every 15 s keeps a quiet connection (a long npm install) open through proxies.
     */
    public Flux<ServerSentEvent<Object>> serverSentEvents(UUID userId, TryOutBody body) {
        var events = start(userId, body);
        return Flux.defer(() -> {
            var transcript = new TryOutTranscript();
            var relayed = events.map(e -> event(transcript.add(e), e));
            var keepAlive = Flux.interval(KEEP_ALIVE)
                    .map(i ->
                            ServerSentEvent.<Object>builder().comment("waiting").build());
            return relayed.publish(shared -> shared.mergeWith(keepAlive.takeUntilOther(shared.then(Mono.just(true)))));
        });
    }

    private static ServerSentEvent<Object> event(TryOutTranscript transcript, TryOutEvent e) {
        var sse = ServerSentEvent.builder();
        return switch (e) {
            case TryOutEvent.Started s ->
                sse.event("started").data(Map.of("attempt", s.attempt())).build();
            case TryOutEvent.Install i ->
                sse.event("install").data(line(i.time(), i.stream(), i.text())).build();
            case TryOutEvent.Log l ->
                sse.event("log").data(line(l.time(), l.stream(), l.text())).build();
            case TryOutEvent.Finished f ->
                sse.event("result").data(transcript.answer()).build();
            case TryOutEvent.Failed f -> {
                var p = problem(f);
                yield sse.event("error")
                        .data(ProblemWriter.document(p.status(), p.title(), p.getMessage(), null, null))
                        .build();
            }
        };
    }

    private static Map<String, Object> line(Instant time, String stream, String text) {
        return Map.of("time", time.toString(), "stream", stream, "text", text);
    }

    private static dev.cronhook.api.error.ProblemException problem(TryOutEvent.Failed failed) {
        return failed.status() == 504
                ? new TryOutTimedOutException(failed.detail())
                : new ServiceUnavailableException(failed.detail());
    }

    /** The end of a try-out that waited too long: for a worker to take it, or in all; null if it may wait on. */
    private TryOutEvent.Failed timedOut(boolean started, long waitedNanos) {
        if (!started && waitedNanos > settings.pickupTimeout().toNanos()) {
            return new TryOutEvent.Failed(
                    503,
                    "try-out is not running: no try-out worker took the try-out within "
                            + settings.pickupTimeout().toSeconds()
                            + " s (they are all busy, or none is running); try again");
        }
        if (waitedNanos > settings.waitTimeout().toNanos()) {
            return new TryOutEvent.Failed(
                    504,
                    "the try-out did not finish within "
                            + settings.waitTimeout().toSeconds() + " s (cronhook.try-out.wait-timeout)");
        }
        return null;
    }

    /** The end of a try-out when no try-out worker is up any more (its own stopped); null while one is. */
    private TryOutEvent.Failed noWorkerLeft() {
        if (channel.anyWorkerAlive(settings.workerTimeout())) return null;
        return new TryOutEvent.Failed(
                503,
                "try-out is not running: the try-out worker running it stopped and no other try-out worker is up;"
                        + " try again once one is");
    }

    private void follow(TryOutRequest request, FluxSink<TryOutEvent> sink, AtomicBoolean gone) {
        try {
            if (!channel.anyWorkerAlive(settings.workerTimeout())) {
                sink.error(new ServiceUnavailableException(NOT_RUNNING));
                return;
            }
            try (var reader = channel.read(request.id())) {
                queue.enqueue(request);
                long start = System.nanoTime();
                long lookedForWorkers = start;
                boolean started = false;
                boolean gaveUp = false;
                while (!gone.get()) {
                    for (var e : reader.next(POLL)) {
                        if (e instanceof TryOutEvent.Started) started = true;
                        sink.next(e);
                        if (e.isEnd()) {
                            sink.complete();
                            return;
                        }
                    }
                    if (gaveUp) continue;
                    long now = System.nanoTime();
                    var failed = timedOut(started, now - start);
                    if (failed == null && now - lookedForWorkers > LOOK_FOR_WORKERS_EVERY.toNanos()) {
                        lookedForWorkers = now;
                        failed = noWorkerLeft();
                    }
                    if (failed != null) {
                        // ends the stream for everyone: a worker that takes the try-out later does not run it, and
                        // the caller gets this end (or the worker's own, if that came first) through the reader
                        channel.publish(request.id(), failed);
                        gaveUp = true;
                    }
                }
                // the caller went away: a worker that has not taken it yet need not run it
                channel.publish(request.id(), new TryOutEvent.Failed(499, "the caller went away"));
                for (int i = 0; i < 10; i++) {
                    // read up to the end, so that the lines are dropped now rather than in an hour
                    if (reader.next(POLL).stream().anyMatch(TryOutEvent::isEnd)) break;
                }
            }
        } catch (RuntimeException e) {
            log.warn("try-out {} could not be followed: {}", request.id(), e.toString());
            sink.error(e);
        }
    }
}

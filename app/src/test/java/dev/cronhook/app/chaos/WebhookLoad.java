package dev.cronhook.app.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Webhook calls at a steady rate, as a careful client makes them: each call has an {@code Idempotency-Key} of its
 * own and is sent again with the same key (up to five times, a second apart) when it got no answer or an answer
 * without a run (a 503 while Redis or PostgreSQL restarts, a connection cut by a killed api). Every answer that names
 * a run ({@code X-Cronhook-Run-Id}) is recorded as accepted: those are the runs the platform must not lose.
 */
final class WebhookLoad implements AutoCloseable {
    /** A webhook the load calls: its URL and whether the calls wait for the reply. */
    record Target(String url, boolean sync) {}

    /** A call the platform accepted: its key, the run it named, the HTTP status and the attempts it took. */
    record Accepted(String call, String runId, boolean sync, int status, int attempts) {}

    /** A call that was never accepted, with the status of its last attempt (-1: no answer). */
    record Refused(String call, boolean sync, int lastStatus, String lastBody) {}

    private static final int ATTEMPTS = 5;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    private final List<Target> targets;
    private final double perSecond;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight = new Semaphore(200);
    private final Queue<Accepted> accepted = new ConcurrentLinkedQueue<>();
    private final Queue<Refused> refused = new ConcurrentLinkedQueue<>();
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private volatile boolean running = true;
    private Thread pacer;

    WebhookLoad(List<Target> targets, double perSecond) {
        this.targets = List.copyOf(targets);
        this.perSecond = perSecond;
    }

    void start() {
        pacer = Thread.ofPlatform().name("webhook-load").daemon().start(() -> {
            long interval = (long) (1_000_000_000L / perSecond);
            long next = System.nanoTime();
            while (running) {
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                if (!running) break;
                if (!inFlight.tryAcquire()) {
                    // an open model with a cap: a stalled platform does not get an unbounded pile of callers
                    skipped.incrementAndGet();
                    continue;
                }
                var target = targets.get(ThreadLocalRandom.current().nextInt(targets.size()));
                sent.incrementAndGet();
                calls.submit(() -> {
                    try {
                        call(target);
                    } finally {
                        inFlight.release();
                    }
                });
            }
        });
    }

    private void call(Target target) {
        String key = UUID.randomUUID().toString();
        String body = "{\"call\":\"" + key + "\"}";
        int lastStatus = -1;
        String lastBody = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                var request = HttpRequest.newBuilder(URI.create(target.url() + (target.sync() ? "" : "?async=true")))
                        .timeout(Duration.ofSeconds(90))
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
                var r = http.send(request, HttpResponse.BodyHandlers.ofString());
                lastStatus = r.statusCode();
                lastBody = r.body().length() > 300 ? r.body().substring(0, 300) : r.body();
                statuses.computeIfAbsent(lastStatus, s -> new AtomicInteger()).incrementAndGet();
                var run = r.headers().firstValue("X-Cronhook-Run-Id");
                if (run.isPresent()) {
                    accepted.add(new Accepted(key, run.get(), target.sync(), lastStatus, attempt));
                    return;
                }
            } catch (IOException e) {
                lastStatus = -1;
                lastBody = e.toString();
                statuses.computeIfAbsent(-1, s -> new AtomicInteger()).incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        refused.add(new Refused(key, target.sync(), lastStatus, lastBody));
    }

    /** Stops sending and waits for the calls in flight (with their retries) to end. */
    void stop() throws InterruptedException {
        running = false;
        if (pacer != null) pacer.join();
        calls.shutdown();
        calls.awaitTermination(10, TimeUnit.MINUTES);
    }

    List<Accepted> accepted() {
        return List.copyOf(accepted);
    }

    List<Refused> refused() {
        return List.copyOf(refused);
    }

    int sent() {
        return sent.get();
    }

    int skipped() {
        return skipped.get();
    }

    /** Answers by HTTP status over all attempts (-1: no answer). */
    Map<Integer, Integer> statuses() {
        var out = new java.util.TreeMap<Integer, Integer>();
        statuses.forEach((s, n) -> out.put(s, n.get()));
        return out;
    }

    @Override
    public void close() {
        running = false;
        calls.shutdownNow();
    }
}

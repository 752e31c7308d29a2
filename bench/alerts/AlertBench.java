// Alert benchmark client (JDK only, run as a single-file program): against a running Cronhook, measures
//  1. latency: a manual run of a script that fails ends (its finishedAt, from the executor) -> the incident's alert
//     arrives at a signed-webhook receiver on 127.0.0.1; each sample is a new incident (a succeeding run resolves
//     the previous one, and its recovery alert is measured too);
//  2. burst: 1,000 failing webhook calls across 10 scripts, as fast as 16 threads send them; then counts the alerts
//     the receiver got (one incident per script: 10 expected, all incident.opened, one per script).
//
//   java AlertBench.java <base-url> <admin-password> [samples]
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

public class AlertBench {
    record Arrival(String path, String body, Instant at) {}

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static String base;
    static String token;

    static final String CODE = "export default async function (event) {"
            + " if (event.fail || (event.body && event.body.fail)) throw new Error('bench failure');"
            + " return { ok: true }; }";

    public static void main(String[] args) throws Exception {
        base = args[0];
        String password = args[1];
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        var arrivals = new LinkedBlockingQueue<Arrival>();
        var burst = Collections.synchronizedList(new ArrayList<Arrival>());
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            var at = Instant.now();
            var body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            var a = new Arrival(ex.getRequestURI().getPath(), body, at);
            if (a.path().startsWith("/burst")) burst.add(a);
            else arrivals.add(a);
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        String receiver = "http://127.0.0.1:" + server.getAddress().getPort();

        token = field(post("/api/auth/login", "{\"username\":\"admin\",\"password\":\"" + password + "\"}"), "token");

        // --- 1. latency
        String id = createScript("alert-latency");
        post("/api/alerts/channels", "{\"name\":\"lat\",\"kind\":\"webhook\",\"url\":\"" + receiver
                + "/lat\",\"secret\":\"bench-signing-secret-0123\",\"script\":\"" + id + "\"}");
        // warm-up: a few incidents unmeasured (JIT, warm container)
        var opened = new ArrayList<Long>();
        var recovered = new ArrayList<Long>();
        for (int i = 0; i < samples + 5; i++) {
            long o = sample(id, true, arrivals, "incident.opened");
            long r = sample(id, false, arrivals, "incident.recovered");
            if (i >= 5) {
                opened.add(o);
                recovered.add(r);
            }
        }
        System.out.println("latency, failing run's end -> alert at the receiver (ms, n=" + opened.size() + "): "
                + stats(opened));
        System.out.println("latency, recovering run's end -> recovery alert (ms, n=" + recovered.size() + "): "
                + stats(recovered));

        // --- 2. burst
        var hooks = new ArrayList<String>();
        var ids = new ArrayList<String>();
        for (int s = 0; s < 10; s++) {
            String sid = createScript("alert-burst-" + s);
            ids.add(sid);
            hooks.add(field(get("/api/scripts/" + sid), "webhookUrl"));
            post("/api/alerts/channels", "{\"name\":\"burst" + s + "\",\"kind\":\"webhook\",\"url\":\"" + receiver
                    + "/burst/" + s + "\",\"secret\":\"bench-signing-secret-0123\",\"script\":\"" + sid + "\"}");
        }
        var accepted = new AtomicInteger();
        var refused = new ConcurrentHashMap<Integer, AtomicInteger>();
        long start = System.nanoTime();
        try (var pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 1000; i++) {
                String hook = hooks.get(i % 10);
                pool.execute(() -> {
                    try {
                        var resp = HTTP.send(
                                HttpRequest.newBuilder(URI.create(hook + "?async=true"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString("{\"fail\":true}"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (resp.statusCode() == 202) accepted.incrementAndGet();
                        else refused.computeIfAbsent(resp.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                    } catch (Exception e) {
                        refused.computeIfAbsent(-1, k -> new AtomicInteger()).incrementAndGet();
                    }
                });
            }
        }
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("burst: %d of 1000 calls accepted in %.1f s (refused: %s)%n", accepted.get(), sendSeconds, refused);
        // every run ended FAILED
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        int failed = 0;
        while (System.nanoTime() < deadline) {
            failed = 0;
            for (var sid : ids) failed += count(get("/api/runs?limit=500&status=FAILED&scriptId=" + sid), "\"id\"");
            if (failed >= accepted.get()) break;
            Thread.sleep(500);
        }
        System.out.printf("burst: %d runs ended FAILED after %.1f s%n", failed, (System.nanoTime() - start) / 1e9);
        // and a while more, for any late alert
        Thread.sleep(10_000);
        var perScript = new java.util.TreeMap<String, Integer>();
        int openedAlerts = 0;
        for (var a : burst) {
            perScript.merge(a.path(), 1, Integer::sum);
            if (isEvent(a.body(), "incident.opened")) openedAlerts++;
        }
        int incidents = 0;
        for (var sid : ids) incidents += count(get("/api/incidents?scriptId=" + sid), "\"status\"");
        System.out.printf("burst: %d alerts at the receiver (%d incident.opened), per script %s; %d incidents%n",
                burst.size(), openedAlerts, perScript, incidents);
        server.stop(0);
    }

    /** One run (failing or not); returns ms from its end to the alert's arrival. */
    static long sample(String id, boolean fail, LinkedBlockingQueue<Arrival> arrivals, String event) throws Exception {
        var run = post("/api/scripts/" + id + "/runs", "{\"event\":{\"fail\":" + fail + "}}");
        String runId = field(run, "id");
        var a = arrivals.poll(60, TimeUnit.SECONDS);
        if (a == null) throw new IllegalStateException("no alert for run " + runId);
        if (!isEvent(a.body(), event)) throw new IllegalStateException("unexpected " + a.body());
        String finished = null;
        for (int i = 0; i < 100 && finished == null; i++) {
            finished = fieldOrNull(get("/api/runs/" + runId), "finishedAt");
            if (finished == null) Thread.sleep(50);
        }
        return Duration.between(Instant.parse(finished), a.at()).toMillis();
    }

    static boolean isEvent(String body, String event) {
        return Pattern.compile("\"event\":\\s*\"" + Pattern.quote(event) + "\"").matcher(body).find();
    }

    static String createScript(String name) throws Exception {
        var created = post("/api/scripts", "{\"name\":\"" + name + "\",\"code\":" + quote(CODE) + "}");
        String id = field(created, "id");
        for (int i = 0; i < 600; i++) {
            var s = get("/api/scripts/" + id);
            if (s.contains("\"activeVersion\":1")) return id;
            Thread.sleep(500);
        }
        throw new IllegalStateException("not deployed: " + name);
    }

    static String stats(List<Long> values) {
        var sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return String.format("p50 %d, p90 %d, p99 %d, max %d", pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), sorted.getLast());
    }

    static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static String post(String path, String json) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        var r = HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException(path + " -> " + r.statusCode() + " " + r.body());
        return r.body();
    }

    static String get(String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    static String field(String json, String name) {
        var v = fieldOrNull(json, name);
        if (v == null) throw new IllegalStateException("no " + name + " in " + json);
        return v;
    }

    static String fieldOrNull(String json, String name) {
        var m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    static int count(String json, String needle) {
        int n = 0;
        for (int i = json.indexOf(needle); i >= 0; i = json.indexOf(needle, i + 1)) n++;
        return n;
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}

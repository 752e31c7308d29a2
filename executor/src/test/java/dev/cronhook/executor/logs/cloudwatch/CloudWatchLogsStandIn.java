package dev.cronhook.executor.logs.cloudwatch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stand-in for CloudWatch Logs speaking AWS JSON 1.1 ({@code POST /}, {@code X-Amz-Target:
 * Logs_20140328.<Operation>}) for CreateLogGroup, CreateLogStream, PutLogEvents, GetLogEvents and DescribeLogStreams.
 * It enforces PutLogEvents' documented limits (at most 10,000 events and 1,048,576 bytes counting 26 bytes per event,
 * chronological order, a span under 24 hours, messages of 1 byte to 256 KiB) with InvalidParameterException, answers
 * errors as HTTP 400 with {@code __type} and {@code message}, and can throttle or fail the first PutLogEvents calls.
 */
final class CloudWatchLogsStandIn implements AutoCloseable {

    static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final String TARGET_PREFIX = "Logs_20140328.";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One accepted PutLogEvents call. */
    record Batch(String group, String stream, int events, long bytes, long firstTimestamp, long lastTimestamp) {}

    /** One stored event. */
    record Event(long timestamp, String message, long ingestionTime) {}

    private final HttpServer server;
    private final Map<String, Map<String, List<Event>>> groups = new ConcurrentHashMap<>();
    private final List<Batch> batches = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final AtomicInteger putFailuresLeft = new AtomicInteger();
    private final AtomicInteger putSuccessesFirst = new AtomicInteger();
    private volatile int putFailureStatus;
    private volatile String putFailureType;

    private CloudWatchLogsStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    static CloudWatchLogsStandIn start() throws IOException {
        return new CloudWatchLogsStandIn();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answers the next {@code count} PutLogEvents calls with HTTP 400 ThrottlingException. */
    void throttlePuts(int count) {
        failPuts(count, 400, "ThrottlingException");
    }

    /** Answers the next {@code count} PutLogEvents calls with this status and error type. */
    void failPuts(int count, int status, String type) {
        failPutsAfter(0, count, status, type);
    }

    /** Lets {@code successes} PutLogEvents calls through, then answers {@code count} with this status and type. */
    void failPutsAfter(int successes, int count, int status, String type) {
        putFailureStatus = status;
        putFailureType = type;
        putSuccessesFirst.set(successes);
        putFailuresLeft.set(count);
    }

    List<Batch> batches() {
        return List.copyOf(batches);
    }

    int calls(String operation) {
        AtomicInteger count = calls.get(operation);
        return count == null ? 0 : count.get();
    }

    boolean hasGroup(String group) {
        return groups.containsKey(group);
    }

    boolean hasStream(String group, String stream) {
        return groups.getOrDefault(group, Map.of()).containsKey(stream);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (!"POST".equals(exchange.getRequestMethod())
                    || !"/".equals(exchange.getRequestURI().getPath())
                    || target == null
                    || !target.startsWith(TARGET_PREFIX)
                    || contentType == null
                    || !contentType.startsWith(CONTENT_TYPE)) {
                error(exchange, 400, "SerializationException", "not an AWS JSON 1.1 request");
                return;
            }
            if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 ")) {
                error(exchange, 400, "MissingAuthenticationTokenException", "Request is missing Authentication Token");
                return;
            }
            InputStream body = exchange.getRequestBody();
            if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(body);
            }
            JsonNode request = JSON.readTree(body);
            String operation = target.substring(TARGET_PREFIX.length());
            calls.computeIfAbsent(operation, o -> new AtomicInteger()).incrementAndGet();
            switch (operation) {
                case "CreateLogGroup" -> createLogGroup(exchange, request);
                case "CreateLogStream" -> createLogStream(exchange, request);
                case "PutLogEvents" -> putLogEvents(exchange, request);
                case "GetLogEvents" -> getLogEvents(exchange, request);
                case "DescribeLogStreams" -> describeLogStreams(exchange, request);
                default -> error(exchange, 400, "UnknownOperationException", "unknown operation " + operation);
            }
        }
    }

    private void createLogGroup(HttpExchange exchange, JsonNode request) throws IOException {
        String group = request.path("logGroupName").asString("");
        if (!group.matches("[._/#A-Za-z0-9-]{1,512}")) {
            error(exchange, 400, "InvalidParameterException", "1 validation error detected: logGroupName");
        } else if (groups.putIfAbsent(group, new ConcurrentHashMap<>()) != null) {
            error(exchange, 400, "ResourceAlreadyExistsException", "The specified log group already exists");
        } else {
            answer(exchange, Map.of());
        }
    }

    private void createLogStream(HttpExchange exchange, JsonNode request) throws IOException {
        Map<String, List<Event>> streams =
                groups.get(request.path("logGroupName").asString(""));
        String stream = request.path("logStreamName").asString("");
        if (streams == null) {
            error(exchange, 400, "ResourceNotFoundException", "The specified log group does not exist.");
        } else if (stream.isEmpty() || stream.length() > 512 || stream.contains(":") || stream.contains("*")) {
            error(exchange, 400, "InvalidParameterException", "1 validation error detected: logStreamName");
        } else if (streams.putIfAbsent(stream, new ArrayList<>()) != null) {
            error(exchange, 400, "ResourceAlreadyExistsException", "The specified log stream already exists");
        } else {
            answer(exchange, Map.of());
        }
    }

    private void putLogEvents(HttpExchange exchange, JsonNode request) throws IOException {
        if (putSuccessesFirst.getAndUpdate(left -> Math.max(0, left - 1)) == 0
                && putFailuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            error(exchange, putFailureStatus, putFailureType, "Rate exceeded");
            return;
        }
        String group = request.path("logGroupName").asString("");
        String stream = request.path("logStreamName").asString("");
        Map<String, List<Event>> streams = groups.get(group);
        if (streams == null) {
            error(exchange, 400, "ResourceNotFoundException", "The specified log group does not exist.");
            return;
        }
        List<Event> events = streams.get(stream);
        if (events == null) {
            error(exchange, 400, "ResourceNotFoundException", "The specified log stream does not exist.");
            return;
        }
        JsonNode logEvents = request.path("logEvents");
        if (logEvents.size() < 1 || logEvents.size() > 10_000) {
            error(exchange, 400, "InvalidParameterException", "logEvents must hold 1 to 10000 events");
            return;
        }
        long bytes = 0;
        long previous = Long.MIN_VALUE;
        long first = logEvents.get(0).path("timestamp").asLong();
        var accepted = new ArrayList<Event>();
        long now = System.currentTimeMillis();
        for (JsonNode event : logEvents) {
            long timestamp = event.path("timestamp").asLong();
            String message = event.path("message").asString("");
            int size = message.getBytes(StandardCharsets.UTF_8).length;
            if (size < 1 || size + 26 > 262_144) {
                error(exchange, 400, "InvalidParameterException", "Log event too large or empty");
                return;
            }
            if (timestamp < previous) {
                error(
                        exchange,
                        400,
                        "InvalidParameterException",
                        "Log events in a single PutLogEvents request must be in chronological order.");
                return;
            }
            if (timestamp - first >= 24L * 3600 * 1000) {
                error(
                        exchange,
                        400,
                        "InvalidParameterException",
                        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
                return;
            }
            previous = timestamp;
            bytes += size + 26;
            accepted.add(new Event(timestamp, message, now));
        }
        if (bytes > 1_048_576) {
            error(exchange, 400, "InvalidParameterException", "Upload too large: " + bytes + " bytes exceeds limit");
            return;
        }
        synchronized (events) {
            events.addAll(accepted);
        }
        batches.add(new Batch(group, stream, accepted.size(), bytes, first, previous));
        answer(exchange, Map.of("nextSequenceToken", "49" + System.nanoTime()));
    }

    private void getLogEvents(HttpExchange exchange, JsonNode request) throws IOException {
        List<Event> stored = groups.getOrDefault(request.path("logGroupName").asString(""), Map.of())
                .get(request.path("logStreamName").asString(""));
        if (stored == null) {
            error(exchange, 400, "ResourceNotFoundException", "The specified log stream does not exist.");
            return;
        }
        List<Event> sorted;
        synchronized (stored) {
            sorted = new ArrayList<>(stored);
        }
        // CloudWatch returns events by timestamp; the stable sort keeps ingestion order among equal timestamps
        sorted.sort(Comparator.comparingLong(Event::timestamp));
        int limit = request.path("limit").asInt(10_000);
        String token = request.path("nextToken").asString("");
        int start;
        if (token.startsWith("f/") || token.startsWith("b/")) {
            start = Integer.parseInt(token.substring(2));
        } else if (request.path("startFromHead").asBoolean(false)) {
            start = 0;
        } else {
            start = Math.max(0, sorted.size() - limit);
        }
        var page = new ArrayList<Map<String, Object>>();
        long bytes = 0;
        int end = start;
        while (end < sorted.size() && page.size() < limit) {
            Event event = sorted.get(end);
            bytes += event.message().getBytes(StandardCharsets.UTF_8).length + 26;
            if (bytes > 1_048_576 && !page.isEmpty()) {
                break;
            }
            page.add(Map.of(
                    "timestamp",
                    event.timestamp(),
                    "message",
                    event.message(),
                    "ingestionTime",
                    event.ingestionTime()));
            end++;
        }
        var response = new LinkedHashMap<String, Object>();
        response.put("events", page);
        response.put("nextForwardToken", "f/" + end);
        response.put("nextBackwardToken", "b/" + start);
        answer(exchange, response);
    }

    private void describeLogStreams(HttpExchange exchange, JsonNode request) throws IOException {
        String group = request.path("logGroupName").asString("");
        Map<String, List<Event>> streams = groups.get(group);
        if (streams == null) {
            error(exchange, 400, "ResourceNotFoundException", "The specified log group does not exist.");
            return;
        }
        String prefix = request.path("logStreamNamePrefix").asString("");
        var described = new ArrayList<Map<String, Object>>();
        streams.keySet().stream()
                .sorted()
                .filter(name -> name.startsWith(prefix))
                .forEach(name -> described.add(Map.of(
                        "logStreamName",
                        name,
                        "creationTime",
                        0,
                        "arn",
                        "arn:aws:logs:us-east-1:000000000000:log-group:" + group + ":log-stream:" + name,
                        "storedBytes",
                        0)));
        answer(exchange, Map.of("logStreams", described));
    }

    private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        send(exchange, status, Map.of("__type", type, "message", message));
    }

    private static void answer(HttpExchange exchange, Object body) throws IOException {
        send(exchange, 200, body);
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.getResponseHeaders()
                .set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}

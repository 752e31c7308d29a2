package dev.cronhook.executor.logs.cloudwatch;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.log.LogStore;
import dev.cronhook.executor.logs.LogPartlyAppendedException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.RejectedLogEventsInfo;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps log lines in Amazon CloudWatch Logs: one log stream per log id in one log group, both created when missing.
 * Thread-safe. Each event's message is a small JSON object ({@code time}, {@code stream}, {@code text}) so that
 * reading gives back exactly the lines appended and Logs Insights can query them by field.
 */
public final class CloudWatchLogStore implements LogStore {

    private static final Logger LOG = LoggerFactory.getLogger(CloudWatchLogStore.class);
    private static final Pattern GROUP_NAME = Pattern.compile("[._/#A-Za-z0-9-]{1,512}");
    private static final int MAX_STREAM_NAME = 512;
    // CloudWatch's per-event limit (256 KiB) counts the 26 bytes of overhead too
    static final int MAX_MESSAGE_BYTES = 262_144 - EventBatches.EVENT_OVERHEAD_BYTES;
    private static final String TRUNCATED = " [truncated]";
    private static final int REMEMBERED_LOGS = 10_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final CloudWatchLogsClient client;
    private final String logGroupName;
    private final Map<String, Long> lastTimestamps = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED_LOGS;
        }
    };

    /**
     * Stores into {@code logGroupName} through {@code client} (built by the caller with region, credentials, {@link
     * #retryStrategy} and, for a local stand-in, an endpoint override). The client retries a call CloudWatch throttles
     * or fails on its side; the store makes each call once.
     */
    public CloudWatchLogStore(CloudWatchLogsClient client, String logGroupName) {
        this.client = Objects.requireNonNull(client, "client");
        if (logGroupName == null || !GROUP_NAME.matcher(logGroupName).matches()) {
            throw new IllegalArgumentException("not a CloudWatch log group name: " + logGroupName);
        }
        this.logGroupName = logGroupName;
    }

    /** The client's retries: 6 attempts in all, 200 ms doubling to 5 s apart (jittered), throttling the same. */
    public static RetryStrategy retryStrategy() {
        return retryStrategy(6, Duration.ofMillis(200), Duration.ofSeconds(5));
    }

    /**
     * The SDK's standard strategy for AWS (throttling and 5xx errors are retried), with {@code maxAttempts} attempts
     * in all, {@code base} doubling to {@code max} apart; no circuit breaker (a log store's calls are few and each
     * one's lines matter).
     */
    public static RetryStrategy retryStrategy(int maxAttempts, Duration base, Duration max) {
        var backoff = BackoffStrategy.exponentialDelay(base, max);
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(maxAttempts)
                .backoffStrategy(backoff)
                .throttlingBackoffStrategy(backoff)
                .circuitBreakerEnabled(false)
                .build();
    }

    /**
     * Appends in batches within CloudWatch's limits; when a batch fails after earlier ones were stored, throws {@link
     * LogPartlyAppendedException} saying how many lines are stored.
     */
    @Override
    public void append(String logId, List<LogLine> lines) {
        if (lines.isEmpty()) {
            return;
        }
        String stream = streamNameFor(logId);
        int stored = 0;
        for (List<InputLogEvent> batch : EventBatches.split(eventsOf(logId, lines))) {
            try {
                put(stream, batch);
            } catch (RuntimeException e) {
                if (stored == 0) {
                    throw e;
                }
                throw new LogPartlyAppendedException(stored, e);
            }
            stored += batch.size();
        }
    }

    @Override
    public List<LogLine> read(String logId) {
        String stream = streamNameFor(logId);
        var lines = new ArrayList<LogLine>();
        String token = null;
        while (true) {
            var request = GetLogEventsRequest.builder()
                    .logGroupName(logGroupName)
                    .logStreamName(stream)
                    .startFromHead(true)
                    .nextToken(token)
                    .build();
            GetLogEventsResponse page;
            try {
                page = client.getLogEvents(request);
            } catch (ResourceNotFoundException e) {
                return List.of();
            }
            page.events().forEach(event -> lines.add(lineOf(event)));
            String next = page.nextForwardToken();
            // CloudWatch hands back the token it was given once there is nothing more to read
            if (next == null || next.equals(token)) {
                return lines;
            }
            token = next;
        }
    }

    /**
     * The log stream name for a log id: CloudWatch forbids ':' and '*' in stream names, so those (and '%', to keep
     * the mapping one-to-one) are percent-encoded; names too long for CloudWatch end in a hash of the log id.
     */
    static String streamNameFor(String logId) {
        if (logId == null || logId.isEmpty()) {
            throw new IllegalArgumentException("log id must not be empty");
        }
        String name = logId.replace("%", "%25").replace(":", "%3A").replace("*", "%2A");
        if (name.length() <= MAX_STREAM_NAME) {
            return name;
        }
        String hash = HexFormat.of().formatHex(sha256(logId), 0, 16);
        return name.substring(0, MAX_STREAM_NAME - hash.length() - 1) + "-" + hash;
    }

    private List<InputLogEvent> eventsOf(String logId, List<LogLine> lines) {
        var events = new ArrayList<InputLogEvent>(lines.size());
        synchronized (lastTimestamps) {
            long last = lastTimestamps.getOrDefault(logId, Long.MIN_VALUE);
            for (LogLine line : lines) {
                // CloudWatch wants a batch in time order and reads back in time order; lines of one log must come back
                // in the order appended, so a line stamped earlier than its predecessor takes the predecessor's time
                // (the message keeps the exact time)
                last = Math.max(last, line.time().toEpochMilli());
                events.add(InputLogEvent.builder()
                        .timestamp(last)
                        .message(messageOf(line))
                        .build());
            }
            lastTimestamps.put(logId, last);
        }
        return events;
    }

    static String messageOf(LogLine line) {
        String time = line.time().toString();
        String message = json(time, line.stream(), line.text());
        String text = line.text();
        while (EventBatches.utf8Length(message) > MAX_MESSAGE_BYTES && !text.isEmpty()) {
            int excess = EventBatches.utf8Length(message) - MAX_MESSAGE_BYTES;
            // cutting one char per excess byte over-shoots for multi-byte text, which only costs a few more bytes
            int keep = Math.max(0, text.length() - excess - TRUNCATED.length());
            if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) {
                keep--;
            }
            text = text.substring(0, keep);
            message = json(time, line.stream(), text + TRUNCATED);
        }
        return message;
    }

    // written by hand: this runs for every line shipped, and a general-purpose mapper costs several times more here
    private static String json(String time, String stream, String text) {
        var json = new StringBuilder(text.length() + time.length() + 40);
        json.append("{\"time\":\"").append(time).append("\",\"stream\":");
        if (stream == null) {
            json.append("null");
        } else {
            quote(json, stream);
        }
        json.append(",\"text\":");
        quote(json, text);
        return json.append('}').toString();
    }

    private static void quote(StringBuilder json, String value) {
        json.append('"');
        int from = 0;
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            json.append(value, from, i);
            from = i + 1;
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> json.append(String.format("\\u%04x", (int) c));
            }
        }
        json.append(value, from, value.length()).append('"');
    }

    static LogLine lineOf(OutputLogEvent event) {
        String message = event.message();
        if (message != null && message.startsWith("{")) {
            try {
                Message parsed = JSON.readValue(message, Message.class);
                if (parsed.time() != null && parsed.text() != null) {
                    return new LogLine(Instant.parse(parsed.time()), parsed.stream(), parsed.text());
                }
            } catch (JacksonException | java.time.format.DateTimeParseException e) {
                // written by someone else: fall through and keep it as plain text
            }
        }
        return new LogLine(Instant.ofEpochMilli(event.timestamp()), "stdout", message == null ? "" : message);
    }

    private void put(String stream, List<InputLogEvent> batch) {
        var request = PutLogEventsRequest.builder()
                .logGroupName(logGroupName)
                .logStreamName(stream)
                .logEvents(batch)
                .build();
        PutLogEventsResponse response;
        try {
            response = client.putLogEvents(request);
        } catch (ResourceNotFoundException e) {
            createStream(stream);
            response = client.putLogEvents(request);
        }
        warnAboutRejected(stream, response.rejectedLogEventsInfo());
    }

    private void createStream(String stream) {
        try {
            client.createLogStream(b -> b.logGroupName(logGroupName).logStreamName(stream));
        } catch (ResourceAlreadyExistsException e) {
            // another executor or an earlier attempt created it
        } catch (ResourceNotFoundException e) {
            createGroup();
            try {
                client.createLogStream(b -> b.logGroupName(logGroupName).logStreamName(stream));
            } catch (ResourceAlreadyExistsException again) {
                // created meanwhile
            }
        }
    }

    private void createGroup() {
        try {
            client.createLogGroup(b -> b.logGroupName(logGroupName));
            LOG.info("created CloudWatch log group {}", logGroupName);
        } catch (ResourceAlreadyExistsException e) {
            // another executor created it
        }
    }

    private void warnAboutRejected(String stream, RejectedLogEventsInfo rejected) {
        if (rejected != null) {
            LOG.warn(
                    "CloudWatch rejected events of {}/{}: too new from index {}, too old up to index {}, expired up to"
                            + " index {}",
                    logGroupName,
                    stream,
                    rejected.tooNewLogEventStartIndex(),
                    rejected.tooOldLogEventEndIndex(),
                    rejected.expiredLogEventEndIndex());
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The JSON shape of one event's message. */
    record Message(String time, String stream, String text) {}
}

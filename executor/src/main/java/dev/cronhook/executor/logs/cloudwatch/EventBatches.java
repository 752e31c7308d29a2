package dev.cronhook.executor.logs.cloudwatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;

/** Splits time-ordered log events into PutLogEvents batches that CloudWatch Logs accepts. */
final class EventBatches {

    static final int MAX_EVENTS = 10_000;
    static final int MAX_BYTES = 1_048_576;
    static final int EVENT_OVERHEAD_BYTES = 26;
    static final long MAX_SPAN_MILLIS = Duration.ofHours(24).toMillis();

    private EventBatches() {}

    /** Batches in order; events must already be sorted by timestamp and each must fit a batch on its own. */
    static List<List<InputLogEvent>> split(List<InputLogEvent> events) {
        var batches = new ArrayList<List<InputLogEvent>>();
        var batch = new ArrayList<InputLogEvent>();
        long bytes = 0;
        for (InputLogEvent event : events) {
            long size = utf8Length(event.message()) + EVENT_OVERHEAD_BYTES;
            boolean full = batch.size() == MAX_EVENTS
                    || bytes + size > MAX_BYTES
                    // CloudWatch refuses a batch whose events span 24 hours or more
                    || (!batch.isEmpty() && event.timestamp() - batch.getFirst().timestamp() >= MAX_SPAN_MILLIS);
            if (full && !batch.isEmpty()) {
                batches.add(batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(event);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    static int utf8Length(CharSequence text) {
        int bytes = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                // a lone surrogate is encoded as '?' by Java's UTF-8 encoder; counting 3 over-estimates, which is safe
                bytes += 3;
            }
        }
        return bytes;
    }
}

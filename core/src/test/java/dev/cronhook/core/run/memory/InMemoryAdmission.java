package dev.cronhook.core.run.memory;

import dev.cronhook.core.run.Admission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** Admission within one process (a rate counter per script and second, idempotency keys with their windows). */
public final class InMemoryAdmission implements Admission {
    private record Held(UUID runId, boolean pending, long until) {}

    private final Map<String, Long> counts = new HashMap<>();
    private final Map<String, Held> claims = new HashMap<>();

    @Override
    public CompletableFuture<List<Long>> count(List<Calls> calls) {
        return CompletableFuture.completedFuture(countNow(calls));
    }

    private synchronized List<Long> countNow(List<Calls> calls) {
        // a second's window is kept a little longer than the second, as the Redis one's
        long now = System.currentTimeMillis() / 1000;
        counts.keySet().removeIf(key -> Long.parseLong(key.substring(key.lastIndexOf(':') + 1)) < now - 2);
        var out = new ArrayList<Long>(calls.size());
        for (var c : calls) out.add(counts.merge(c.scriptId() + ":" + c.second(), (long) c.calls(), Long::sum));
        return out;
    }

    @Override
    public synchronized Claim claim(UUID scriptId, String key, UUID runId, Duration pendingFor) {
        long now = System.currentTimeMillis();
        String k = scriptId + ":" + key;
        var held = claims.get(k);
        if (held != null && held.until() > now) {
            return held.pending() ? new Claim.Pending() : new Claim.Held(held.runId());
        }
        claims.put(k, new Held(runId, true, now + pendingFor.toMillis()));
        return new Claim.Claimed();
    }

    @Override
    public synchronized void confirm(UUID scriptId, String key, UUID runId, Duration window) {
        String k = scriptId + ":" + key;
        var held = claims.get(k);
        if (held != null && held.pending() && held.runId().equals(runId)) {
            claims.put(k, new Held(runId, false, System.currentTimeMillis() + window.toMillis()));
        }
    }

    @Override
    public synchronized void release(UUID scriptId, String key, UUID runId) {
        String k = scriptId + ":" + key;
        var held = claims.get(k);
        if (held != null && held.pending() && held.runId().equals(runId)) claims.remove(k);
    }
}

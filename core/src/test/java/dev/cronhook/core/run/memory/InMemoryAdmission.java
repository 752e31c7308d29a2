package dev.cronhook.core.run.memory;

import dev.cronhook.core.run.Admission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Admission within one process (a rate counter per script and second, idempotency keys with their windows). */
public final class InMemoryAdmission implements Admission {
    private record Claim(UUID runId, long until) {}

    private final Map<String, Long> counts = new HashMap<>();
    private final Map<String, Claim> claims = new HashMap<>();

    @Override
    public synchronized List<Long> count(List<Calls> calls) {
        // a second's window is kept a little longer than the second, as the Redis one's
        long now = System.currentTimeMillis() / 1000;
        counts.keySet().removeIf(key -> Long.parseLong(key.substring(key.lastIndexOf(':') + 1)) < now - 2);
        var out = new ArrayList<Long>(calls.size());
        for (var c : calls) out.add(counts.merge(c.scriptId() + ":" + c.second(), (long) c.calls(), Long::sum));
        return out;
    }

    @Override
    public synchronized Optional<UUID> claim(UUID scriptId, String key, UUID runId, Duration window) {
        long now = System.currentTimeMillis();
        String k = scriptId + ":" + key;
        var held = claims.get(k);
        if (held != null && held.until() > now) return Optional.of(held.runId());
        claims.put(k, new Claim(runId, now + window.toMillis()));
        return Optional.empty();
    }
}

package dev.cronhook.api.schedule.redis;

import dev.cronhook.api.schedule.DueSet;
import dev.cronhook.core.queue.redis.RedisScript;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The due-set as one Redis sorted set: member the script id, score the due time in epoch milliseconds. */
public class RedisDueSet implements DueSet {
    public static final String KEY = "cronhook:schedules:due";

    // atomic: the due entries are read and pushed past the lease in one step, so no two callers get one entry
    private static final RedisScript CLAIM = RedisScript.of("""
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[2])
            for i = 1, #due, 2 do
              redis.call('ZADD', KEYS[1], 'XX', ARGV[3], due[i])
            end
            local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
            return {due, first}
            """, ScriptOutputType.MULTI);
    private static final int CHUNK = 1000;

    private final StatefulRedisConnection<String, String> redis;

    public RedisDueSet(StatefulRedisConnection<String, String> redis) {
        this.redis = redis;
    }

    @Override
    public void put(Map<UUID, Instant> nextFireTimes) {
        add(nextFireTimes, null);
    }

    @Override
    public void putIfEarlier(Map<UUID, Instant> nextFireTimes) {
        add(nextFireTimes, ZAddArgs.Builder.lt());
    }

    @SuppressWarnings("unchecked")
    private void add(Map<UUID, Instant> entries, ZAddArgs args) {
        var values = new ArrayList<ScoredValue<String>>(Math.min(entries.size(), CHUNK));
        for (var e : entries.entrySet()) {
            values.add(ScoredValue.just(e.getValue().toEpochMilli(), e.getKey().toString()));
            if (values.size() == CHUNK) {
                zadd(values, args);
                values.clear();
            }
        }
        if (!values.isEmpty()) zadd(values, args);
    }

    @SuppressWarnings("unchecked")
    private void zadd(List<ScoredValue<String>> values, ZAddArgs args) {
        var array = values.toArray(ScoredValue[]::new);
        if (args == null) redis.sync().zadd(KEY, array);
        else redis.sync().zadd(KEY, args, array);
    }

    @Override
    public void remove(List<UUID> scriptIds) {
        if (scriptIds.isEmpty()) return;
        redis.sync().zrem(KEY, scriptIds.stream().map(UUID::toString).toArray(String[]::new));
    }

    @Override
    public Claim claim(Instant now, int limit, Duration lease) {
        List<Object> reply = CLAIM.call(
                redis,
                new String[] {KEY},
                Long.toString(now.toEpochMilli()),
                Integer.toString(limit),
                Long.toString(now.plus(lease).toEpochMilli()));
        var due = new ArrayList<Due>();
        var pairs = (List<?>) reply.get(0);
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            due.add(new Due(UUID.fromString((String) pairs.get(i)), millis(pairs.get(i + 1))));
        }
        var first = (List<?>) reply.get(1);
        return new Claim(due, first.size() == 2 ? millis(first.get(1)) : null);
    }

    @Override
    public Map<UUID, Instant> all() {
        var out = new HashMap<UUID, Instant>();
        for (var v : redis.sync().zrangeWithScores(KEY, 0, -1)) {
            out.put(UUID.fromString(v.getValue()), Instant.ofEpochMilli((long) v.getScore()));
        }
        return out;
    }

    private static Instant millis(Object score) {
        return Instant.ofEpochMilli((long) Double.parseDouble(score.toString()));
    }
}

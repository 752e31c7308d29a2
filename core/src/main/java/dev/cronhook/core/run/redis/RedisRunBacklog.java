package dev.cronhook.core.run.redis;

import dev.cronhook.core.queue.redis.RedisScript;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunBacklog;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The run backlog in Redis, looked at in one Lua script (so a run the ledger moves between the run stream and a
 * waiting list meanwhile cannot slip between two looks): the finished marks of the runs asked about, the waiting
 * lists of the scripts {@link Streams#WAITING_SCRIPTS} names, then the run stream page by page, until every run asked
 * about is found or the stream ends. Acknowledged entries are deleted from the stream, so it holds only work not yet
 * done: the look costs what the backlog holds, and stops early when nothing is missing.
 */
public final class RedisRunBacklog implements RunBacklog {
    /** Most run ids asked about in one script call (the others in further calls). */
    static final int MAX_PER_CALL = 1000;

    /** Stream entries read per XRANGE inside the script. */
    private static final int PAGE = 500;

    /**
     * KEYS: run stream, waiting scripts, then one finished mark per run asked about, then one direct hold per run
     * ({@link Streams#directKey}, in the same order); ARGV: waiting lists' prefix, the stream entries' message field,
     * page size, then the run ids (in the order of their marks). Returns the run
     * ids of which nothing was found. A stream entry's run id is read from its message's top-level {@code "runId"}
     * (inside a JSON string, such as the event, quotes are escaped, so the first unescaped one is the request's).
     */
    private static final RedisScript UNTRACED = RedisScript.of("""
            local missing = {}
            local left = 0
            local n = #ARGV - 3
            for i = 4, #ARGV do
              if redis.call('EXISTS', KEYS[i - 1], KEYS[i - 1 + n]) == 0 then
                missing[ARGV[i]] = true
                left = left + 1
              end
            end
            local function found(id)
              if missing[id] then
                missing[id] = nil
                left = left - 1
              end
            end
            if left > 0 then
              for _, script in ipairs(redis.call('HKEYS', KEYS[2])) do
                for _, entry in ipairs(redis.call('LRANGE', ARGV[1] .. script, 0, -1)) do
                  found(string.sub(entry, 1, 36))
                end
              end
            end
            local from = '-'
            while left > 0 do
              local page = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', tonumber(ARGV[3]))
              if #page == 0 then break end
              for _, entry in ipairs(page) do
                local fields = entry[2]
                for f = 1, #fields, 2 do
                  if fields[f] == ARGV[2] then
                    local _, e = string.find(fields[f + 1], '"runId":"', 1, true)
                    if e then found(string.sub(fields[f + 1], e + 1, e + 36)) end
                  end
                end
              end
              from = '(' .. page[#page][1]
            end
            local out = {}
            for id in pairs(missing) do out[#out + 1] = id end
            return out
            """, ScriptOutputType.MULTI);

    /** KEYS: the direct holds of N runs; ARGV: their leases (ms), in the same order. */
    private static final RedisScript HOLD = RedisScript.of("""
            for i = 1, #KEYS do redis.call('SET', KEYS[i], '1', 'PX', ARGV[i]) end
            return #KEYS
            """, ScriptOutputType.INTEGER);

    private final StatefulRedisConnection<String, String> redis;

    public RedisRunBacklog(StatefulRedisConnection<String, String> redis) {
        this.redis = redis;
    }

    @Override
    public Set<UUID> untraced(Collection<UUID> runIds) {
        var ids = List.copyOf(new java.util.LinkedHashSet<>(runIds));
        var untraced = new HashSet<UUID>();
        for (int from = 0; from < ids.size(); from += MAX_PER_CALL) {
            var part = ids.subList(from, Math.min(ids.size(), from + MAX_PER_CALL));
            var keys = new ArrayList<String>(part.size() + 2);
            keys.add(Streams.RUNS);
            keys.add(Streams.WAITING_SCRIPTS);
            var args = new ArrayList<String>(part.size() + 3);
            args.add(Streams.WAITING_PREFIX);
            args.add(RedisWorkQueue.FIELD);
            args.add(String.valueOf(PAGE));
            for (var id : part) {
                keys.add(Streams.finishedKey(id));
                args.add(id.toString());
            }
            for (var id : part) keys.add(Streams.directKey(id));
            List<Object> missing = UNTRACED.call(redis, keys.toArray(String[]::new), args.toArray(String[]::new));
            if (missing != null) missing.forEach(id -> untraced.add(UUID.fromString(String.valueOf(id))));
        }
        return untraced;
    }

    @Override
    public CompletableFuture<Void> hold(Map<UUID, Duration> leases) {
        if (leases.isEmpty()) return CompletableFuture.completedFuture(null);
        var keys = new String[leases.size()];
        var args = new String[leases.size()];
        int i = 0;
        for (var lease : leases.entrySet()) {
            keys[i] = Streams.directKey(lease.getKey());
            args[i++] = String.valueOf(Math.max(1, lease.getValue().toMillis()));
        }
        return HOLD.<Long>callAsync(redis, keys, args).thenApply(n -> null);
    }
}

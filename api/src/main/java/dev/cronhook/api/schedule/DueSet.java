package dev.cronhook.api.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * When each schedule is next due, shared by every scheduler replica: an index over {@code schedules.next_fire_at},
 * which stays the truth. Thread-safe. A claim is atomic: an entry goes to one caller, and reappears after the lease
 * if that caller dies before putting it back.
 */
public interface DueSet {

    /** Sets when a script's schedule is next due (replacing any entry it has). */
    void put(Map<UUID, Instant> nextFireTimes);

    /** Lowers entries to the given times and adds the missing ones; later entries stay (they may be leases). */
    void putIfEarlier(Map<UUID, Instant> nextFireTimes);

    void remove(List<UUID> scriptIds);

    /**
     * Takes up to {@code limit} entries due at {@code now}, moving them to {@code now + lease}; also says when the
     * earliest entry left is due (null if none).
     */
    Claim claim(Instant now, int limit, Duration lease);

    /** Every entry (for reconciliation with the database). */
    Map<UUID, Instant> all();

    /** One due entry as claimed: the script and the time its entry was due. */
    record Due(UUID scriptId, Instant dueAt) {}

    /** What a claim took, and when the earliest remaining entry is due. */
    record Claim(List<Due> due, Instant earliest) {}
}

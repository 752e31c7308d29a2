package dev.cronhook.executor.runtime;

import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.TriggerKind;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One call of a script: which version (image or bundle), the event as JSON, the limits, per-invocation
 * environment values (secrets), the token that cancels it, where its code may connect and whose code it is (its
 * tenant: calls of one tenant may share a sandbox, calls of two never do; null: a sandbox of the version's own).
 */
public record Invocation(
        UUID runId,
        UUID scriptId,
        int version,
        String image,
        TriggerKind trigger,
        String eventJson,
        Duration timeout,
        int memoryMb,
        Map<String, String> env,
        Cancellation cancellation,
        EgressPolicy egress,
        String tenant) {

    public Invocation {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(scriptId, "scriptId");
        Objects.requireNonNull(image, "image");
        if (trigger == null) trigger = TriggerKind.MANUAL;
        if (eventJson == null || eventJson.isBlank()) eventJson = "{}";
        if (timeout == null || timeout.isNegative() || timeout.isZero()) timeout = Duration.ofSeconds(30);
        env = env == null ? Map.of() : Map.copyOf(env);
        if (cancellation == null) cancellation = new Cancellation();
        if (egress == null) egress = EgressPolicy.none();
        if (tenant != null && tenant.isBlank()) tenant = null;
    }

    /** A call of no tenant's: it gets a sandbox of its version's own. */
    public Invocation(
            UUID runId,
            UUID scriptId,
            int version,
            String image,
            TriggerKind trigger,
            String eventJson,
            Duration timeout,
            int memoryMb,
            Map<String, String> env,
            Cancellation cancellation,
            EgressPolicy egress) {
        this(runId, scriptId, version, image, trigger, eventJson, timeout, memoryMb, env, cancellation, egress, null);
    }

    /** A call whose code may connect nowhere. */
    public Invocation(
            UUID runId,
            UUID scriptId,
            int version,
            String image,
            TriggerKind trigger,
            String eventJson,
            Duration timeout,
            int memoryMb,
            Map<String, String> env,
            Cancellation cancellation) {
        this(runId, scriptId, version, image, trigger, eventJson, timeout, memoryMb, env, cancellation, null, null);
    }

    /** The same call as code of {@code tenant}'s. */
    public Invocation withTenant(String tenant) {
        return new Invocation(
                runId,
                scriptId,
                version,
                image,
                trigger,
                eventJson,
                timeout,
                memoryMb,
                env,
                cancellation,
                egress,
                tenant);
    }

    public static Invocation of(RunRequest request, Map<String, String> env, Cancellation cancellation) {
        return new Invocation(
                request.runId(),
                request.scriptId(),
                request.version(),
                request.image(),
                request.trigger(),
                request.eventJson(),
                Duration.ofSeconds(request.timeoutSeconds()),
                request.memoryMb(),
                env,
                cancellation,
                request.egress(),
                request.tenant());
    }
}

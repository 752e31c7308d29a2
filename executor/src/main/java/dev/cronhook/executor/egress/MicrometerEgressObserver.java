package dev.cronhook.executor.egress;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.UUID;

/**
 * Egress in Prometheus, per script: {@code cronhook_egress_connections_total}, {@code
 * cronhook_egress_bytes_total{direction="out"|"in"}} and {@code cronhook_egress_blocked_total{reason}}.
 */
public final class MicrometerEgressObserver implements EgressObserver {
    private final MeterRegistry registry;

    public MicrometerEgressObserver(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void connected(UUID scriptId) {
        Counter.builder("cronhook.egress.connections")
                .description("Connections the egress proxy made for a script")
                .tag("script", scriptId.toString())
                .register(registry)
                .increment();
    }

    @Override
    public void blocked(UUID scriptId, String reason) {
        Counter.builder("cronhook.egress.blocked")
                .description("Connections the egress proxy refused a script")
                .tag("script", scriptId.toString())
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    @Override
    public void carried(UUID scriptId, long out, long in) {
        bytes(scriptId, "out").increment(out);
        bytes(scriptId, "in").increment(in);
    }

    private Counter bytes(UUID scriptId, String direction) {
        return Counter.builder("cronhook.egress.bytes")
                .description("Bytes carried by the egress proxy for a script")
                .baseUnit("bytes")
                .tag("script", scriptId.toString())
                .tag("direction", direction)
                .register(registry);
    }
}

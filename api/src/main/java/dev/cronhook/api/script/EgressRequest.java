package dev.cronhook.api.script;

import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.validation.Violations;
import java.util.Collections;
import java.util.List;

/**
 * A script's outbound-network setting as a request gives it, {@code "egress": {"allow": ["api.github.com",
 * "*.slack.com", "hooks.example.com:8443"]}}; absent or empty allows no network. Checked into an {@link EgressPolicy}
 * by {@link #check}.
 */
public record EgressRequest(List<String> allow) {

    /**
     * The policy {@code request} asks for (none when it is null or empty), each entry checked on its own so that
     * every bad one is named ({@code egress.allow[i]}) with its reason; null when there was a violation.
     */
    public static EgressPolicy check(EgressRequest request, Violations v) {
        if (request == null || request.allow() == null || request.allow().isEmpty()) return EgressPolicy.none();
        var entries = request.allow();
        if (entries.size() > EgressPolicy.MAX_ENTRIES) {
            v.add("egress.allow", "may hold at most " + EgressPolicy.MAX_ENTRIES + " entries");
            return null;
        }
        boolean bad = false;
        for (int i = 0; i < entries.size(); i++) {
            try {
                EgressPolicy.of(Collections.singletonList(entries.get(i)));
            } catch (EgressPolicy.InvalidEntryException e) {
                v.add("egress.allow[" + i + "]", e.getMessage());
                bad = true;
            }
        }
        return bad ? null : EgressPolicy.of(entries);
    }
}

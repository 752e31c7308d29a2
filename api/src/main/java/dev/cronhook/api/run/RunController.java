package dev.cronhook.api.run;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.error.RunNotFoundException;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.validation.Violations;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The read side of runs: history with filters, and one run. */
@RestController
@RequestMapping("/api/runs")
public class RunController {
    private final RunService service;

    public RunController(RunService service) {
        this.service = service;
    }

    @PostMapping("/{id}/cancel")
    public Mono<RunView> cancel(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.cancel(user, id));
    }

    @GetMapping
    public Mono<List<RunView>> list(
            @AuthenticationPrincipal CurrentUser user,
            @RequestParam(required = false) UUID scriptId,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String trigger,
            @RequestParam(required = false) String since,
            @RequestParam(required = false) String until,
            @RequestParam(defaultValue = "50") int limit) {
        var v = new Violations();
        RunStatus statusFilter = null;
        if (status != null) {
            try {
                statusFilter = RunStatus.valueOf(status.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                v.add("status", "must be one of " + Arrays.toString(RunStatus.values()));
            }
        }
        if (trigger != null) {
            try {
                trigger = TriggerKind.fromWireName(trigger).wireName();
            } catch (IllegalArgumentException e) {
                v.add("trigger", "must be one of webhook, cron, manual, try-out");
            }
        }
        Instant from = instant(since, "since", v);
        Instant to = instant(until, "until", v);
        if (limit < 1 || limit > 500) v.add("limit", "must be between 1 and 500");
        v.throwIfAny();
        var filter = new RunFilter(scriptId, statusFilter, trigger, from, to, limit);
        return Blocking.call(() -> service.list(user, filter));
    }

    @GetMapping("/{id}")
    public Mono<RunView> get(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.find(user, id).orElseThrow(() -> new RunNotFoundException(id)));
    }

    private static Instant instant(String value, String field, Violations v) {
        if (value == null) return null;
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            v.add(field, "must be an ISO-8601 instant such as 2026-11-22T10:00:00Z");
            return null;
        }
    }
}

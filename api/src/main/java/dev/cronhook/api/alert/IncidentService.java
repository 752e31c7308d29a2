package dev.cronhook.api.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.cronhook.api.environment.EnvironmentService;
import dev.cronhook.api.error.ResourceNotFoundException;
import dev.cronhook.api.error.ScriptNotFoundException;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.run.RunView;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.validation.Violations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Incidents as users see them (with their runs and every delivery attempt), the rules of scripts, and deliveries. */
@Service
public class IncidentService {
    /** An incident with its runs and its alerts (only in the detail view). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IncidentView(
            UUID id,
            UUID scriptId,
            String status,
            String reason,
            String summary,
            int failures,
            int signals,
            boolean alerted,
            Instant openedAt,
            Instant lastSignalAt,
            Instant acknowledgedAt,
            Instant resolvedAt,
            String resolvedBy,
            List<RunView> runs,
            List<DeliveryView> deliveries) {}

    /** One alert to one channel, with every attempt at it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeliveryView(
            UUID id,
            UUID incidentId,
            UUID channelId,
            String event,
            String status,
            int attempts,
            Instant createdAt,
            Instant nextAttemptAt,
            Instant sentAt,
            @JsonRawValue String payload,
            List<AlertOutbox.Attempt> attemptLog) {}

    private final IncidentRepository incidents;
    private final AlertOutbox outbox;
    private final RunService runs;
    private final ScriptRepository scripts;
    private final ChannelRepository channels;
    private final EnvironmentService environments;

    public IncidentService(
            IncidentRepository incidents,
            AlertOutbox outbox,
            RunService runs,
            ScriptRepository scripts,
            ChannelRepository channels,
            EnvironmentService environments) {
        this.environments = environments;
        this.incidents = incidents;
        this.outbox = outbox;
        this.runs = runs;
        this.scripts = scripts;
        this.channels = channels;
    }

    public List<IncidentView> list(CurrentUser user, UUID scriptId, String status, int limit) {
        return incidents.list(user.id(), scriptId, status, limit).stream()
                .map(i -> view(i, null, null))
                .toList();
    }

    public IncidentView get(CurrentUser user, UUID id) {
        var i = incidents.find(user.id(), id).orElseThrow(() -> notFound(id));
        var runViews = new ArrayList<RunView>();
        for (var runId : incidents.runIds(id)) runs.find(user, runId).ifPresent(runViews::add);
        var deliveries = outbox.ofIncident(id).stream().map(this::deliveryView).toList();
        return view(i, runViews, deliveries);
    }

    public IncidentView acknowledge(CurrentUser user, UUID id) {
        var i = incidents.find(user.id(), id).orElseThrow(() -> notFound(id));
        if ("resolved".equals(i.status())) return view(i, null, null);
        incidents.acknowledge(user.id(), id);
        return get(user, id);
    }

    public IncidentView resolve(CurrentUser user, UUID id) {
        incidents.find(user.id(), id).orElseThrow(() -> notFound(id));
        incidents.resolve(id, "user");
        return get(user, id);
    }

    public DeliveryView delivery(CurrentUser user, UUID id) {
        return deliveryView(
                outbox.find(user.id(), id).orElseThrow(() -> new ResourceNotFoundException("alert delivery " + id)));
    }

    public AlertRules rules(CurrentUser user, UUID scriptId) {
        scripts.find(user.id(), scriptId).orElseThrow(() -> new ScriptNotFoundException(scriptId));
        return incidents.rules(scriptId);
    }

    public AlertRules putRules(CurrentUser user, UUID scriptId, AlertRules.Request request) {
        var rules = AlertRules.validate(request);
        var script = scripts.find(user.id(), scriptId).orElseThrow(() -> new ScriptNotFoundException(scriptId));
        environments.requireChangeable(user.id(), script.environment());
        if (rules.channels() != null) {
            var v = new Violations();
            var mine =
                    channels.list(user.id(), scriptId).stream().map(Channel::id).toList();
            for (var c : rules.channels()) {
                if (!mine.contains(c)) v.add("channels", c + " is not one of your channels for this script");
            }
            v.throwIfAny();
        }
        incidents.putRules(scriptId, rules);
        return rules;
    }

    private DeliveryView deliveryView(AlertOutbox.Delivery d) {
        return new DeliveryView(
                d.id(),
                d.incidentId(),
                d.channelId(),
                d.event(),
                d.status(),
                d.attempts(),
                d.createdAt(),
                "pending".equals(d.status()) ? d.nextAttemptAt() : null,
                d.sentAt(),
                d.payload(),
                outbox.attempts(d.id()));
    }

    private static IncidentView view(IncidentRepository.Incident i, List<RunView> runs, List<DeliveryView> deliveries) {
        return new IncidentView(
                i.id(),
                i.scriptId(),
                i.status(),
                i.reason(),
                i.summary(),
                i.failures(),
                i.signals(),
                i.alerted(),
                i.openedAt(),
                i.lastSignalAt(),
                i.acknowledgedAt(),
                i.resolvedAt(),
                i.resolvedBy(),
                runs,
                deliveries);
    }

    private static ResourceNotFoundException notFound(UUID id) {
        return new ResourceNotFoundException("incident " + id);
    }
}

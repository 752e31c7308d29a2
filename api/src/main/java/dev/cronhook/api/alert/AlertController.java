package dev.cronhook.api.alert;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.validation.Violations;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The alerts API: channels (and their test alerts), the rules of a script, incidents and deliveries. */
@RestController
public class AlertController {
    private static final Set<String> STATUSES = Set.of("open", "acknowledged", "resolved");

    private final ChannelService channels;
    private final IncidentService incidents;

    public AlertController(ChannelService channels, IncidentService incidents) {
        this.channels = channels;
        this.incidents = incidents;
    }

    @GetMapping("/api/alerts/channels")
    public Mono<List<ChannelService.ChannelView>> channels(@AuthenticationPrincipal CurrentUser user) {
        return Blocking.call(() -> channels.list(user));
    }

    @PostMapping(path = "/api/alerts/channels", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<ChannelService.ChannelView>> createChannel(
            @AuthenticationPrincipal CurrentUser user, @RequestBody ChannelService.ChannelRequest request) {
        return Blocking.call(() -> channels.create(user, request))
                .map(c -> ResponseEntity.created(URI.create("/api/alerts/channels/" + c.id()))
                        .body(c));
    }

    @GetMapping("/api/alerts/channels/{id}")
    public Mono<ChannelService.ChannelView> channel(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> channels.get(user, id));
    }

    @PutMapping(path = "/api/alerts/channels/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ChannelService.ChannelView> updateChannel(
            @AuthenticationPrincipal CurrentUser user,
            @PathVariable UUID id,
            @RequestBody ChannelService.ChannelRequest request) {
        return Blocking.call(() -> channels.update(user, id, request));
    }

    @DeleteMapping("/api/alerts/channels/{id}")
    public Mono<ResponseEntity<Void>> deleteChannel(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.run(() -> channels.delete(user, id))
                .then(Mono.just(ResponseEntity.noContent().build()));
    }

    /** Sends a test alert: 202 with the delivery to follow. */
    @PostMapping("/api/alerts/channels/{id}/test")
    public Mono<ResponseEntity<Map<String, Object>>> test(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> channels.test(user, id)).map(delivery -> {
            String url = "/api/alerts/deliveries/" + delivery;
            return ResponseEntity.accepted().location(URI.create(url)).body(Map.of("deliveryId", delivery, "url", url));
        });
    }

    @GetMapping("/api/alerts/deliveries/{id}")
    public Mono<IncidentService.DeliveryView> delivery(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> incidents.delivery(user, id));
    }

    @GetMapping("/api/scripts/{id}/alerts")
    public Mono<AlertRules> rules(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> incidents.rules(user, id));
    }

    @PutMapping(path = "/api/scripts/{id}/alerts", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<AlertRules> putRules(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @RequestBody AlertRules.Request request) {
        return Blocking.call(() -> incidents.putRules(user, id, request));
    }

    @GetMapping("/api/incidents")
    public Mono<List<IncidentService.IncidentView>> incidents(
            @AuthenticationPrincipal CurrentUser user,
            @RequestParam(required = false) UUID scriptId,
            @RequestParam(required = false) String status,
            @RequestParam(defaultValue = "50") int limit) {
        var v = new Violations();
        if (status != null && !STATUSES.contains(status))
            v.add("status", "must be one of open, acknowledged, resolved");
        if (limit < 1 || limit > 500) v.add("limit", "must be between 1 and 500");
        v.throwIfAny();
        return Blocking.call(() -> incidents.list(user, scriptId, status, limit));
    }

    @GetMapping("/api/incidents/{id}")
    public Mono<IncidentService.IncidentView> incident(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> incidents.get(user, id));
    }

    @PostMapping("/api/incidents/{id}/acknowledge")
    public Mono<IncidentService.IncidentView> acknowledge(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> incidents.acknowledge(user, id));
    }

    @PostMapping("/api/incidents/{id}/resolve")
    public Mono<IncidentService.IncidentView> resolve(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> incidents.resolve(user, id));
    }
}

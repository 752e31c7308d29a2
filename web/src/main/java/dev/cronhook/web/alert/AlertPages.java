package dev.cronhook.web.alert;

import dev.cronhook.api.alert.AlertRules;
import dev.cronhook.api.alert.ChannelService;
import dev.cronhook.api.alert.IncidentService;
import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.script.ScriptService;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.validation.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Alert pages: the user's channels (add, send a test alert, delete) and incidents; an incident with its runs and
 * every delivery attempt (acknowledge, resolve); a script's alert rules; pause and resume from the script's page.
 */
@Controller
public class AlertPages {
    private final ChannelService channels;
    private final IncidentService incidents;
    private final ScriptService scripts;

    public AlertPages(ChannelService channels, IncidentService incidents, ScriptService scripts) {
        this.channels = channels;
        this.incidents = incidents;
        this.scripts = scripts;
    }

    @GetMapping("/alerts")
    Mono<Rendering> alerts(@AuthenticationPrincipal CurrentUser user, @RequestParam(required = false) String notice) {
        return page(user, Map.of(), Map.of())
                .map(r -> r.modelAttribute("notice", notice).build());
    }

    @PostMapping("/alerts/channels")
    Mono<Rendering> addChannel(@AuthenticationPrincipal CurrentUser user, ServerWebExchange exchange) {
        return exchange.getFormData().flatMap(form -> {
            return Mono.fromCallable(() -> request(form))
                    .flatMap(request -> Blocking.call(() -> channels.create(user, request)))
                    .map(c ->
                            Rendering.redirectTo("/alerts?notice=channel-added").build())
                    .onErrorResume(InvalidInputException.class, e -> page(user, errors(e), form.toSingleValueMap())
                            .map(r -> r.status(HttpStatus.BAD_REQUEST).build()));
        });
    }

    @PostMapping("/alerts/channels/{id}/test")
    Mono<Rendering> test(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> channels.test(user, id))
                .map(d -> Rendering.redirectTo("/alerts?notice=test-sent").build());
    }

    @PostMapping("/alerts/channels/{id}/delete")
    Mono<Rendering> delete(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.run(() -> channels.delete(user, id))
                .thenReturn(
                        Rendering.redirectTo("/alerts?notice=channel-deleted").build());
    }

    @GetMapping("/incidents/{id}")
    Mono<Rendering> incident(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> incidents.get(user, id)).map(i -> Rendering.view("alerts/incident")
                .modelAttribute("incident", i)
                .build());
    }

    @PostMapping("/incidents/{id}/acknowledge")
    Mono<Rendering> acknowledge(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> incidents.acknowledge(user, id))
                .map(i -> Rendering.redirectTo("/incidents/" + id).build());
    }

    @PostMapping("/incidents/{id}/resolve")
    Mono<Rendering> resolve(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> incidents.resolve(user, id))
                .map(i -> Rendering.redirectTo("/incidents/" + id).build());
    }

    @GetMapping("/scripts/{id}/alerts")
    Mono<Rendering> rules(
            @AuthenticationPrincipal CurrentUser user,
            @PathVariable UUID id,
            @RequestParam(required = false) String notice) {
        return rulesPage(user, id, null, Map.of())
                .map(r -> r.modelAttribute("notice", notice).build());
    }

    @PostMapping("/scripts/{id}/alerts")
    Mono<Rendering> saveRules(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, ServerWebExchange exchange) {
        return exchange.getFormData().flatMap(form -> {
            return Mono.fromCallable(() -> new AlertRules.Request(
                            checked(form, "failed"),
                            number(form, "consecutiveFailures"),
                            checked(form, "recovered"),
                            checked(form, "missedTick"),
                            number(form, "lateTickSeconds"),
                            checked(form, "overlapSkip"),
                            checked(form, "buildFailed"),
                            checked(form, "secretsUnavailable"),
                            number(form, "pauseAfterConsecutiveFailures"),
                            null))
                    // the page does not choose channels: it keeps those the API set
                    .flatMap(request -> Blocking.call(() -> incidents.putRules(
                            user,
                            id,
                            withChannels(request, incidents.rules(user, id).channels()))))
                    .map(r -> Rendering.redirectTo("/scripts/" + id + "/alerts?notice=rules-saved")
                            .build())
                    .onErrorResume(InvalidInputException.class, e -> rulesPage(user, id, null, errors(e))
                            .map(r -> r.status(HttpStatus.BAD_REQUEST).build()));
        });
    }

    @PostMapping("/scripts/{id}/pause")
    Mono<Rendering> pause(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> scripts.setPaused(user, id, true))
                .map(s -> Rendering.redirectTo("/scripts/" + id + "?notice=paused")
                        .build());
    }

    @PostMapping("/scripts/{id}/resume")
    Mono<Rendering> resume(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> scripts.setPaused(user, id, false))
                .map(s -> Rendering.redirectTo("/scripts/" + id + "?notice=resumed")
                        .build());
    }

    private Mono<Rendering.Builder<?>> page(
            CurrentUser user, Map<String, String> channelErrors, Map<String, String> channelForm) {
        return Blocking.call(() -> {
                    var all = scripts.list(user);
                    var names = new java.util.HashMap<UUID, String>();
                    for (var s : all) names.put(s.id(), s.name());
                    return Map.of(
                            "channels",
                            channels.list(user),
                            "incidents",
                            incidents.list(user, null, null, 100),
                            "scripts",
                            all,
                            "scriptNames",
                            names);
                })
                .map(m -> Rendering.view("alerts/alerts")
                        .model(m)
                        .modelAttribute("channelErrors", channelErrors)
                        .modelAttribute("channelForm", channelForm));
    }

    private Mono<Rendering.Builder<?>> rulesPage(
            CurrentUser user, UUID id, AlertRules shown, Map<String, String> ruleErrors) {
        return Blocking.call(() -> Map.of(
                        "script", scripts.get(user, id),
                        "rules", shown != null ? shown : incidents.rules(user, id),
                        "incidents", incidents.list(user, id, null, 50)))
                .map(m -> Rendering.view("alerts/rules").model(m).modelAttribute("ruleErrors", ruleErrors));
    }

    private static ChannelService.ChannelRequest request(MultiValueMap<String, String> form) {
        List<String> to = null;
        String toText = blankToNull(form.getFirst("to"));
        if (toText != null) {
            to = new ArrayList<>();
            for (var t : toText.split("[,\\s]+")) if (!t.isBlank()) to.add(t.trim());
        }
        return new ChannelService.ChannelRequest(
                form.getFirst("name"),
                form.getFirst("kind"),
                uuid(form.getFirst("script")),
                blankToNull(form.getFirst("url")),
                blankToNull(form.getFirst("secret")),
                blankToNull(form.getFirst("host")),
                number(form, "port"),
                blankToNull(form.getFirst("tls")),
                blankToNull(form.getFirst("username")),
                blankToNull(form.getFirst("password")),
                blankToNull(form.getFirst("from")),
                to,
                uuid(form.getFirst("runScript")));
    }

    private static AlertRules.Request withChannels(AlertRules.Request r, List<UUID> channels) {
        return new AlertRules.Request(
                r.failed(),
                r.consecutiveFailures(),
                r.recovered(),
                r.missedTick(),
                r.lateTickSeconds(),
                r.overlapSkip(),
                r.buildFailed(),
                r.secretsUnavailable(),
                r.pauseAfterConsecutiveFailures(),
                channels);
    }

    private static Boolean checked(MultiValueMap<String, String> form, String name) {
        return form.containsKey(name);
    }

    private static Integer number(MultiValueMap<String, String> form, String name) {
        String v = blankToNull(form.getFirst(name));
        if (v == null) return null;
        try {
            return Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(name, "must be a whole number");
        }
    }

    private static UUID uuid(String value) {
        value = blankToNull(value);
        if (value == null) return null;
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("script", "is not a script");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Map<String, String> errors(InvalidInputException e) {
        var out = new LinkedHashMap<String, String>();
        for (var v : e.violations()) out.merge(v.field(), v.message(), (a, b) -> a + "; " + b);
        return out;
    }
}

package dev.cronhook.web.run;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.error.ProblemException;
import dev.cronhook.api.error.RunNotFoundException;
import dev.cronhook.api.log.RunLogs;
import dev.cronhook.api.run.RunFilter;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.script.ScriptService;
import dev.cronhook.api.script.ScriptView;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.run.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.reactive.result.view.Rendering;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** Run history with filters, one run with its logs (live while it runs), replay and cancel. */
@Controller
public class RunPages {
    /** The time filter's choices: label and how far back. */
    public record Period(String key, String label, Duration back) {}

    static final List<Period> PERIODS = List.of(
            new Period("1h", "Last hour", Duration.ofHours(1)),
            new Period("24h", "Last 24 hours", Duration.ofHours(24)),
            new Period("7d", "Last 7 days", Duration.ofDays(7)),
            new Period("30d", "Last 30 days", Duration.ofDays(30)),
            new Period("", "Any time", null));

    private final RunService service;
    private final ScriptService scripts;
    private final RunLogs logs;
    private final JsonMapper json;

    public RunPages(RunService service, ScriptService scripts, RunLogs logs, JsonMapper json) {
        this.service = service;
        this.scripts = scripts;
        this.logs = logs;
        this.json = json;
    }

    static final int PAGE_SIZE = 200;

    @GetMapping("/runs")
    Mono<Rendering> list(
            @AuthenticationPrincipal CurrentUser user,
            @RequestParam(defaultValue = "") String script,
            @RequestParam(defaultValue = "") String status,
            @RequestParam(defaultValue = "") String trigger,
            @RequestParam(defaultValue = "") String period,
            @RequestParam(defaultValue = "") String after) {
        UUID scriptId = parseUuid(script);
        RunStatus statusFilter = Arrays.stream(RunStatus.values())
                .filter(s -> s.name().equalsIgnoreCase(status))
                .findFirst()
                .orElse(null);
        String triggerFilter = List.of("webhook", "cron", "manual", "try-out").contains(trigger) ? trigger : null;
        Instant since = PERIODS.stream()
                .filter(p -> p.key().equals(period) && p.back() != null)
                .findFirst()
                .map(p -> Instant.now().minus(p.back()))
                .orElse(null);
        // the next page starts after the last run of this one: "<queuedAt>_<id>"
        Instant afterTime = null;
        UUID afterId = null;
        int cut = after.lastIndexOf('_');
        if (cut > 0) {
            try {
                afterTime = Instant.parse(after.substring(0, cut));
                afterId = UUID.fromString(after.substring(cut + 1));
            } catch (RuntimeException e) {
                afterTime = null;
                afterId = null;
            }
        }
        var filter = new RunFilter(scriptId, statusFilter, triggerFilter, since, afterTime, afterId, PAGE_SIZE);
        boolean paged = afterId != null;
        return Blocking.call(() -> {
            var runs = service.list(user, filter);
            String next = runs.size() < PAGE_SIZE
                    ? null
                    : runs.getLast().queuedAt() + "_" + runs.getLast().id();
            var all = scripts.list(user);
            Map<UUID, String> names = new HashMap<>();
            for (ScriptView s : all) names.put(s.id(), s.name());
            return Rendering.view("runs/list")
                    .modelAttribute("runs", runs)
                    .modelAttribute("nextPage", next)
                    .modelAttribute("paged", paged)
                    .modelAttribute("scripts", all)
                    .modelAttribute("names", names)
                    .modelAttribute("statuses", RunStatus.values())
                    .modelAttribute("triggers", List.of("webhook", "cron", "manual", "try-out"))
                    .modelAttribute("periods", PERIODS)
                    .modelAttribute("filterScript", scriptId == null ? "" : scriptId.toString())
                    .modelAttribute("filterStatus", statusFilter == null ? "" : statusFilter.name())
                    .modelAttribute("filterTrigger", triggerFilter == null ? "" : triggerFilter)
                    .modelAttribute("filterPeriod", since == null ? "" : period)
                    .build();
        });
    }

    @GetMapping("/runs/{id}")
    Mono<Rendering> run(
            @AuthenticationPrincipal CurrentUser user,
            @PathVariable UUID id,
            @RequestParam(required = false) String notice) {
        return Blocking.call(() -> {
            var run = service.find(user, id).orElseThrow(() -> new RunNotFoundException(id));
            var script = scripts.get(user, run.scriptId());
            return Rendering.view("runs/run")
                    .modelAttribute("run", run)
                    .modelAttribute("script", script)
                    .modelAttribute("event", pretty(run.event()))
                    .modelAttribute("result", pretty(run.result()))
                    .modelAttribute("reply", replyText(run.reply()))
                    .modelAttribute("notice", notice)
                    .build();
        });
    }

    /** The run's log lines as they come, for the page's EventSource (the api's stream, behind the session). */
    @GetMapping(path = "/runs/{id}/logs", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ResponseBody
    Flux<ServerSentEvent<Object>> logStream(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return logs.stream(user, id);
    }

    @GetMapping(path = "/runs/{id}/logs", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    Mono<RunLogs.RunLog> logJson(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return logs.logs(user, id);
    }

    /** Launches a manual run of the script's deployed version with the same event. */
    @PostMapping("/runs/{id}/replay")
    Mono<Rendering> replay(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.replay(user, id))
                .map(launched ->
                        Rendering.redirectTo("/runs/" + launched.runId()).build())
                .onErrorResume(ProblemException.class, e -> Mono.just(noticeRedirect(id, e)));
    }

    @PostMapping("/runs/{id}/cancel")
    Mono<Rendering> cancel(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> service.cancel(user, id))
                .map(r -> Rendering.redirectTo("/runs/" + id + "?notice=cancel-requested")
                        .build())
                .onErrorResume(ProblemException.class, e -> Mono.just(noticeRedirect(id, e)));
    }

    private static Rendering noticeRedirect(UUID id, ProblemException e) {
        if (e instanceof RunNotFoundException) throw e;
        return Rendering.redirectTo("/runs/" + id + "?notice="
                        + java.net.URLEncoder.encode(e.getMessage(), java.nio.charset.StandardCharsets.UTF_8))
                .build();
    }

    /** The script's HTTP reply as a caller saw it: status line, headers, then the body (pretty when JSON). */
    private String replyText(String raw) {
        if (raw == null) return null;
        try {
            var reply = json.readTree(raw);
            var out = new StringBuilder("HTTP ")
                    .append(reply.path("status").asInt())
                    .append('\n');
            for (var header : reply.path("headers").properties()) {
                for (var value : header.getValue()) {
                    out.append(header.getKey())
                            .append(": ")
                            .append(value.asString())
                            .append('\n');
                }
            }
            String body = reply.path("body").asString("");
            if (reply.path("base64").asBoolean(false)) body = "(binary, base64) " + body;
            else if (body.startsWith("{") || body.startsWith("[")) body = pretty(body);
            return out.append('\n').append(body).toString();
        } catch (RuntimeException e) {
            return pretty(raw);
        }
    }

    private String pretty(String raw) {
        if (raw == null) return null;
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(raw));
        } catch (RuntimeException e) {
            return raw;
        }
    }

    private static UUID parseUuid(String s) {
        try {
            return s.isBlank() ? null : UUID.fromString(s.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}

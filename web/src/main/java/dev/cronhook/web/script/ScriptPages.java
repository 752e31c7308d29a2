package dev.cronhook.web.script;

import dev.cronhook.api.db.Blocking;
import dev.cronhook.api.environment.EnvironmentService;
import dev.cronhook.api.error.ProblemException;
import dev.cronhook.api.error.ScriptNameTakenException;
import dev.cronhook.api.error.ScriptNotFoundException;
import dev.cronhook.api.run.RunFilter;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.run.RunView;
import dev.cronhook.api.script.CronSchedule;
import dev.cronhook.api.script.ScriptLimits;
import dev.cronhook.api.script.ScriptPromotions;
import dev.cronhook.api.script.ScriptService;
import dev.cronhook.api.script.ScriptView;
import dev.cronhook.api.secret.SecretService;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.core.script.SourceFiles;
import dev.cronhook.core.validation.InvalidInputException;
import dev.cronhook.core.validation.Violations;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** The scripts list and the editor: create, change, delete a script, its webhook, secrets and Infisical binding. */
@Controller
public class ScriptPages {
    static final List<String> ZONES = ZoneId.getAvailableZoneIds().stream()
            .filter(z -> z.contains("/") || z.equals("UTC"))
            .filter(z -> !z.startsWith("Etc/") && !z.startsWith("SystemV/"))
            .sorted()
            .toList();
    /**
     * What the page checks a new file's path against, by language, as JSON: the entry's name, the manifest (whose
     * dependencies the form gives as rows), the names the image reserves and the dependencies' directory.
     */
    static final String FILE_RULES = fileRules();

    private static final Pattern EGRESS_ENTRY = Pattern.compile("egress\\.allow\\[(\\d+)]");

    private static String fileRules() {
        var rules = new LinkedHashMap<String, Object>();
        for (String name : LanguageRuntime.names()) {
            var runtime = LanguageRuntime.of(name);
            rules.put(
                    name,
                    Map.of(
                            "entry", runtime.entryFile(),
                            "manifest", runtime.manifestFile(),
                            "reserved", List.of(runtime.harnessFile(), runtime.scriptFile(), "package-lock.json"),
                            "dependencyDir", runtime.dependencyDir()));
        }
        return dev.cronhook.core.wire.Wire.json().writeValueAsString(rules);
    }

    /** A row of the scripts list. */
    public record ScriptRow(ScriptView script, RunView lastRun, Instant nextFire) {}

    private final ScriptService scripts;
    private final RunService runService;
    private final SecretService secrets;
    private final ScriptLimits limits;
    private final EnvironmentService environments;
    private final ScriptPromotions promotions;

    public ScriptPages(
            ScriptService scripts,
            RunService runService,
            SecretService secrets,
            ScriptLimits limits,
            EnvironmentService environments,
            ScriptPromotions promotions) {
        this.environments = environments;
        this.promotions = promotions;
        this.scripts = scripts;
        this.runService = runService;
        this.secrets = secrets;
        this.limits = limits;
    }

    @GetMapping("/")
    Mono<Rendering> home() {
        return Mono.just(Rendering.redirectTo("/scripts").build());
    }

    @GetMapping("/scripts")
    Mono<Rendering> list(
            @AuthenticationPrincipal CurrentUser user,
            @RequestParam(defaultValue = "") String q,
            @RequestParam(defaultValue = "") String env) {
        String query = q.trim().toLowerCase(Locale.ROOT);
        String environment = env.isBlank() ? null : env.strip();
        return Blocking.call(() -> {
                    var rows = new ArrayList<ScriptRow>();
                    for (var s : scripts.list(user, environment)) {
                        if (!query.isEmpty()
                                && !s.name().toLowerCase(Locale.ROOT).contains(query)) continue;
                        var last = runService.list(user, new RunFilter(s.id(), null, null, null, null, 1));
                        Instant next =
                                s.cron() == null || s.cron().nextFireTimes().isEmpty()
                                        ? null
                                        : s.cron().nextFireTimes().getFirst();
                        rows.add(new ScriptRow(s, last.isEmpty() ? null : last.getFirst(), next));
                    }
                    return rows;
                })
                .zipWith(Blocking.call(() -> environments.list(user.id())))
                .map(found -> Rendering.view("scripts/list")
                        .modelAttribute("rows", found.getT1())
                        .modelAttribute("environments", found.getT2())
                        .modelAttribute("q", q)
                        .modelAttribute("env", environment == null ? "" : environment)
                        .build());
    }

    @GetMapping("/scripts/new")
    Mono<Rendering> newScript(@AuthenticationPrincipal CurrentUser user, @RequestParam(defaultValue = "") String env) {
        var blank = ScriptForm.blank(limits.defaultTimeoutSeconds(), limits.defaultMemoryMb());
        return Blocking.call(() -> environments.list(user.id()))
                .map(list -> editor(null, blank.inEnvironment(env.isBlank() ? "dev" : env.strip()), Map.of(), null)
                        .modelAttribute("environments", list)
                        .build());
    }

    @PostMapping("/scripts")
    Mono<Rendering> create(@AuthenticationPrincipal CurrentUser user, ServerWebExchange exchange) {
        return exchange.getFormData().map(ScriptForm::from).flatMap(form -> Blocking.call(
                        () -> scripts.create(user, form.toRequest(null)))
                .map(s -> Rendering.redirectTo("/scripts/" + s.id() + "?saved=" + s.version())
                        .build())
                .onErrorResume(e -> failedSave(e, user, null, form)));
    }

    @GetMapping("/scripts/{id}")
    Mono<Rendering> edit(
            @AuthenticationPrincipal CurrentUser user,
            @PathVariable UUID id,
            @RequestParam(required = false) String saved,
            @RequestParam(required = false) String settings,
            @RequestParam(required = false) String notice) {
        return Blocking.call(() -> scripts.get(user, id))
                .flatMap(s -> page(user, s, ScriptForm.of(s), Map.of(), null).map(r -> r.modelAttribute("saved", saved)
                        .modelAttribute("settingsOnly", "true".equals(settings))
                        .modelAttribute("notice", notice)
                        .build()));
    }

    @PostMapping("/scripts/{id}")
    Mono<Rendering> update(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, ServerWebExchange exchange) {
        return exchange.getFormData().map(ScriptForm::from).flatMap(form -> Blocking.call(() -> {
                    var before = scripts.get(user, id);
                    var after = scripts.update(user, id, form.toRequest(ScriptForm.retryOf(before)));
                    // same code and dependencies: no version is made, the settings apply from now on
                    return after.version() > before.version()
                            ? "/scripts/" + id + "?saved=" + after.version()
                            : "/scripts/" + id + "?saved=" + after.version() + "&settings=true";
                })
                .map(to -> Rendering.redirectTo(to).build())
                .onErrorResume(e -> Blocking.call(() -> scripts.get(user, id))
                        .flatMap(current -> failedSave(e, user, current, form))));
    }

    private Mono<Rendering> failedSave(Throwable e, CurrentUser user, ScriptView current, ScriptForm form) {
        Map<String, String> errors;
        String problem = null;
        if (e instanceof InvalidInputException invalid) errors = form.errors(invalid);
        else if (e instanceof ScriptNameTakenException taken) errors = Map.of("name", taken.getMessage());
        else if (e instanceof ProblemException p) {
            errors = Map.of();
            problem = p.title() + ": " + p.getMessage();
        } else return Mono.error(e);
        var status = e instanceof ProblemException p ? p.status() : HttpStatus.BAD_REQUEST;
        if (current == null) {
            var shown = errors;
            var message = problem;
            return Blocking.call(() -> environments.list(user.id())).map(list -> editor(null, form, shown, message)
                    .modelAttribute("environments", list)
                    .status(status)
                    .build());
        }
        String message = problem;
        return page(user, current, form, errors, message)
                .map(r -> r.status(status).build());
    }

    private Mono<Rendering.Builder<?>> page(
            CurrentUser user, ScriptView s, ScriptForm form, Map<String, String> errors, String problem) {
        return Blocking.call(() -> {
            var secretList = secrets.list(user, s.id());
            var infisical = secrets.infisicalView(user, s.id()).orElse(null);
            // a failed build says why, where the user is: the script cannot run until a version builds
            String buildFailure = s.buildState() == BuildState.FAILED
                    ? scripts.versions(user, s.id()).stream()
                            .filter(v -> v.version() == s.version())
                            .map(v -> v.buildError() == null
                                    ? "no reason was recorded"
                                    : v.buildError().strip())
                            .findFirst()
                            .orElse(null)
                    : null;
            var environmentList = environments.list(user.id());
            boolean readOnly =
                    environmentList.stream().anyMatch(env -> env.name().equals(s.environment()) && env.isProtected());
            return editor(s, form, errors, problem)
                    .modelAttribute("secrets", secretList)
                    .modelAttribute("infisical", infisical)
                    .modelAttribute("environments", environmentList)
                    .modelAttribute("readOnly", readOnly)
                    .modelAttribute("buildFailure", buildFailure);
        });
    }

    private Rendering.Builder<?> editor(
            ScriptView script, ScriptForm form, Map<String, String> errors, String problem) {
        var known = List.of(
                "name",
                "language",
                "environment",
                "code",
                "files",
                "files.",
                "dependencies",
                "webhook",
                "cron.expression",
                "cron.timezone",
                "cron.overlapPolicy",
                "cron.catchUpPolicy",
                "timeoutSeconds",
                "memoryMb",
                "maxConcurrency");
        var other = new LinkedHashMap<String, String>();
        errors.forEach((field, message) -> {
            if (!known.contains(field)
                    && !field.startsWith("dependencies.")
                    && !field.startsWith("egress.")
                    && !(field.startsWith("files.") && form.filePaths().contains(field.substring("files.".length())))) {
                other.put(field, message);
            }
        });
        return Rendering.view("scripts/editor")
                .modelAttribute("script", script)
                .modelAttribute("startingPoints", StartingPoints.ALL)
                .modelAttribute("form", form)
                .modelAttribute("templates", Map.of("node", ScriptForm.TEMPLATE, "python", ScriptForm.PYTHON_TEMPLATE))
                .modelAttribute("errors", errors)
                .modelAttribute("egressError", egressError(errors))
                .modelAttribute("otherErrors", other)
                .modelAttribute("problem", problem)
                .modelAttribute("preview", CronPreview.of(form.cronExpression(), form.cronTimezone()))
                .modelAttribute("zones", ZONES)
                .modelAttribute("limits", limits)
                .modelAttribute("fileRules", FILE_RULES)
                .modelAttribute("maxFiles", SourceFiles.MAX_FILES)
                .modelAttribute("maxPathLength", SourceFiles.MAX_PATH_LENGTH)
                .modelAttribute("maxDepth", SourceFiles.MAX_DEPTH)
                .modelAttribute("secrets", List.of())
                .modelAttribute("infisical", null)
                .modelAttribute("environments", List.of())
                .modelAttribute("readOnly", false)
                .modelAttribute("secretErrors", Map.of())
                .modelAttribute("infisicalErrors", Map.of());
    }

    /**
     * The outbound-network field's errors, each as "host n: reason" (the form leaves blank lines out, so n counts the
     * hosts the user wrote, from 1), or the list's own ({@code egress.allow}: too many entries); empty for none.
     */
    static String egressError(Map<String, String> errors) {
        var out = new ArrayList<String>();
        errors.forEach((field, message) -> {
            var entry = EGRESS_ENTRY.matcher(field);
            if (entry.matches()) out.add("host " + (Integer.parseInt(entry.group(1)) + 1) + ": " + message);
            else if (field.startsWith("egress")) out.add(message);
        });
        return String.join("; ", out);
    }

    /**
     * Promotes the script's deployed version to the same-named script of another environment (made when missing)
     * and opens that one; a promotion that cannot be made comes back as the page's notice.
     */
    @PostMapping("/scripts/{id}/promote")
    Mono<Rendering> promote(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, ServerWebExchange exchange) {
        return exchange.getFormData()
                .flatMap(form -> Blocking.call(() -> {
                    var script = scripts.get(user, id);
                    String to = form.getFirst("to") == null
                            ? ""
                            : form.getFirst("to").strip();
                    var promoted = promotions
                            .promote(user, script.environment(), to, List.of(script.name()))
                            .getFirst();
                    String notice = promoted.changed()
                            ? "Promoted from " + script.environment() + ": version " + promoted.version()
                                    + " runs the image of " + script.environment() + "'s deployed version."
                            : "Already up to date: this script runs the same image as in " + script.environment() + ".";
                    return "/scripts/" + promoted.id() + "?notice="
                            + java.net.URLEncoder.encode(notice, java.nio.charset.StandardCharsets.UTF_8);
                }))
                .map(to -> Rendering.redirectTo(to).build())
                .onErrorResume(
                        InvalidInputException.class,
                        e -> Mono.just(Rendering.redirectTo("/scripts/" + id + "?notice="
                                        + java.net.URLEncoder.encode(
                                                "Not promoted: " + e.getMessage(),
                                                java.nio.charset.StandardCharsets.UTF_8))
                                .build()))
                .onErrorResume(
                        e -> e instanceof ProblemException && !(e instanceof ScriptNotFoundException),
                        e -> Mono.just(Rendering.redirectTo("/scripts/" + id + "?notice="
                                        + java.net.URLEncoder.encode(
                                                "Not promoted: " + e.getMessage(),
                                                java.nio.charset.StandardCharsets.UTF_8))
                                .build()));
    }

    @PostMapping("/scripts/{id}/delete")
    Mono<Rendering> delete(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.run(() -> scripts.delete(user, id))
                .thenReturn(Rendering.redirectTo("/scripts").build());
    }

    @PostMapping("/scripts/{id}/webhook/rotate")
    Mono<Rendering> rotate(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> scripts.rotateWebhook(user, id))
                .thenReturn(Rendering.redirectTo("/scripts/" + id + "?notice=webhook-rotated#triggers")
                        .build());
    }

    @PostMapping("/scripts/{id}/run")
    Mono<Rendering> runNow(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, ServerWebExchange exchange) {
        return exchange.getFormData()
                .flatMap(form ->
                        Blocking.call(() -> runService.launchManual(user, id, runEvent(form.getFirst("event")))))
                .map(launched ->
                        Rendering.redirectTo("/runs/" + launched.runId()).build())
                .onErrorResume(
                        dev.cronhook.core.validation.InvalidInputException.class,
                        e -> Mono.just(Rendering.redirectTo("/scripts/" + id
                                        + "?notice="
                                        + java.net.URLEncoder.encode(
                                                "Not run: the sample event "
                                                        + e.violations()
                                                                .getFirst()
                                                                .message()
                                                        + ".",
                                                java.nio.charset.StandardCharsets.UTF_8))
                                .build()))
                .onErrorResume(
                        ProblemException.class,
                        e -> Mono.just(Rendering.redirectTo("/scripts/" + id
                                        + "?notice="
                                        + java.net.URLEncoder.encode(
                                                e.getMessage(), java.nio.charset.StandardCharsets.UTF_8))
                                .build()));
    }

    /** The event a manual run gets: none, or the JSON object given (else a 400 that says what is wrong with it). */
    private tools.jackson.databind.JsonNode runEvent(String text) {
        if (text == null || text.isBlank()) return null;
        tools.jackson.databind.JsonNode event;
        try {
            event = dev.cronhook.core.wire.Wire.json().readTree(text);
        } catch (RuntimeException e) {
            throw new dev.cronhook.core.validation.InvalidInputException("event", "is not valid JSON");
        }
        if (!event.isObject())
            throw new dev.cronhook.core.validation.InvalidInputException("event", "must be a JSON object");
        return event;
    }

    @PostMapping("/scripts/{id}/secrets")
    Mono<Rendering> putSecret(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, ServerWebExchange exchange) {
        return exchange.getFormData().flatMap(form -> {
            String name = form.getFirst("secretName") == null
                    ? ""
                    : form.getFirst("secretName").trim();
            String value = form.getFirst("secretValue");
            return Blocking.call(() -> secrets.put(user, id, name, value == null ? "" : value))
                    .map(saved -> Rendering.redirectTo("/scripts/" + id + "?notice=secret-saved#secrets")
                            .build())
                    .onErrorResume(InvalidInputException.class, e -> Blocking.call(() -> scripts.get(user, id))
                            .flatMap(s -> page(user, s, ScriptForm.of(s), Map.of(), null))
                            .map(r -> r.status(HttpStatus.BAD_REQUEST)
                                    .modelAttribute("secretErrors", ScriptForm.errorsOf(e))
                                    .modelAttribute("secretName", name)
                                    .build()));
        });
    }

    @PostMapping("/scripts/{id}/secrets/{name}/delete")
    Mono<Rendering> deleteSecret(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, @PathVariable String name) {
        return Blocking.call(() -> secrets.delete(user, id, name))
                .thenReturn(Rendering.redirectTo("/scripts/" + id + "?notice=secret-deleted#secrets")
                        .build());
    }

    @PostMapping("/scripts/{id}/infisical")
    Mono<Rendering> bindInfisical(
            @AuthenticationPrincipal CurrentUser user, @PathVariable UUID id, ServerWebExchange exchange) {
        return exchange.getFormData().flatMap(form -> Blocking.call(() -> secrets.bindInfisical(
                        user,
                        id,
                        form.getFirst("siteUrl"),
                        form.getFirst("projectId"),
                        form.getFirst("environment"),
                        form.getFirst("secretPath"),
                        form.getFirst("clientId"),
                        form.getFirst("clientSecret")))
                .map(saved -> Rendering.redirectTo("/scripts/" + id + "?notice=infisical-saved#infisical")
                        .build())
                .onErrorResume(InvalidInputException.class, e -> Blocking.call(() -> scripts.get(user, id))
                        .flatMap(s -> page(user, s, ScriptForm.of(s), Map.of(), null))
                        .map(r -> r.status(HttpStatus.BAD_REQUEST)
                                .modelAttribute("infisicalErrors", ScriptForm.errorsOf(e))
                                .modelAttribute("infisicalForm", form.toSingleValueMap())
                                .build())));
    }

    @PostMapping("/scripts/{id}/infisical/delete")
    Mono<Rendering> unbindInfisical(@AuthenticationPrincipal CurrentUser user, @PathVariable UUID id) {
        return Blocking.call(() -> secrets.unbindInfisical(user, id))
                .thenReturn(Rendering.redirectTo("/scripts/" + id + "?notice=infisical-removed#infisical")
                        .build());
    }

    /** A cron expression in words with its next fire times, or what is wrong with it. */
    public record CronPreview(String description, List<String> next, Map<String, String> errors) {
        static CronPreview of(String expression, String timezone) {
            var v = new Violations();
            var schedule = CronSchedule.parse(expression, timezone, "cron", v);
            var errors = new LinkedHashMap<String, String>();
            for (var violation : v.list()) errors.merge(violation.field(), violation.message(), (a, b) -> a + "; " + b);
            if (schedule == null) return new CronPreview(null, List.of(), errors);
            var times = new dev.cronhook.web.page.Times();
            var next = schedule.next(5, Instant.now()).stream()
                    .map(t -> times.inZone(t, schedule.zone().getId()))
                    .toList();
            return new CronPreview(
                    CronDescription.of(schedule.expression()) + " ("
                            + schedule.zone().getId() + ")",
                    next,
                    errors);
        }
    }

    @GetMapping(path = "/scripts/cron-preview", produces = "application/json")
    @org.springframework.web.bind.annotation.ResponseBody
    CronPreview cronPreview(
            @RequestParam(defaultValue = "") String expression, @RequestParam(defaultValue = "UTC") String timezone) {
        return CronPreview.of(expression, timezone);
    }

    /** What is wrong with one dependency row (null where nothing is). */
    public record DependencyCheck(String name, String range) {}

    @GetMapping(path = "/scripts/check-dependency", produces = "application/json")
    @org.springframework.web.bind.annotation.ResponseBody
    DependencyCheck checkDependency(
            @RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "") String range) {
        String nameProblem = dev.cronhook.core.script.NpmPackageName.problem(name.trim());
        String rangeProblem = dev.cronhook.core.script.NpmVersionRange.problem(range);
        return new DependencyCheck(
                nameProblem == null ? null : "package name " + nameProblem,
                rangeProblem == null ? null : "version " + rangeProblem);
    }

    static URI uri(String s) {
        return URI.create(s);
    }
}

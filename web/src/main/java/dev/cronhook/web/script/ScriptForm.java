package dev.cronhook.web.script;

import dev.cronhook.api.script.EgressRequest;
import dev.cronhook.api.script.ScriptRequest;
import dev.cronhook.api.script.ScriptView;
import dev.cronhook.core.validation.InvalidInputException;
import dev.cronhook.core.validation.Violations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.util.MultiValueMap;

/**
 * The editor's form as the user typed it: kept verbatim so a page with errors shows exactly what was sent, and
 * turned into the api's {@link ScriptRequest}.
 */
public record ScriptForm(
        String name,
        String code,
        List<Dependency> dependencies,
        boolean webhook,
        boolean cron,
        String cronExpression,
        String cronTimezone,
        String overlapPolicy,
        String catchUpPolicy,
        String timeoutSeconds,
        String memoryMb,
        String maxConcurrency,
        String egressAllow,
        String language) {

    /** One row of the dependency list. */
    public record Dependency(String name, String range) {}

    /** The template a new Node.js script starts from (its starting points are in {@link StartingPoints}). */
    static final String TEMPLATE = StartingPoints.TEMPLATE;

    static final String PYTHON_TEMPLATE = """
            # Runs on every webhook call and cron tick. Return a value to record it as the run's result,
            # or cronhook.Response(body, status=..., headers=...) to answer a webhook call.
            from cronhook import Response


            def handler(event, ctx):
                print("triggered by", event["trigger"])
                return {"ok": True, "received": event.get("body")}
            """;

    /** The template a new script of {@code language} starts from. */
    static String templateFor(String language) {
        return "python".equals(language) ? PYTHON_TEMPLATE : TEMPLATE;
    }

    static ScriptForm blank(int defaultTimeout, int defaultMemory) {
        return new ScriptForm(
                "",
                StartingPoints.TEMPLATE,
                List.of(),
                true,
                false,
                "*/5 * * * *",
                "UTC",
                "skip",
                "run-once",
                Integer.toString(defaultTimeout),
                Integer.toString(defaultMemory),
                "",
                "",
                "node");
    }

    static ScriptForm of(ScriptView s) {
        var deps = new ArrayList<Dependency>();
        s.dependencies().forEach((n, r) -> deps.add(new Dependency(n, r)));
        var c = s.cron();
        return new ScriptForm(
                s.name(),
                s.code(),
                deps,
                s.webhook(),
                c != null,
                c == null ? "*/5 * * * *" : c.expression(),
                c == null ? "UTC" : c.timezone(),
                c == null ? "skip" : c.overlapPolicy(),
                c == null ? "run-once" : c.catchUpPolicy(),
                Integer.toString(s.timeoutSeconds()),
                Integer.toString(s.memoryMb()),
                s.maxConcurrency() == null ? "" : Integer.toString(s.maxConcurrency()),
                s.egress() == null ? "" : String.join("\n", s.egress().allow()),
                s.language() == null ? "node" : s.language());
    }

    static ScriptForm from(MultiValueMap<String, String> form) {
        var names = form.getOrDefault("dependencyName", List.of());
        var ranges = form.getOrDefault("dependencyRange", List.of());
        var deps = new ArrayList<Dependency>();
        for (int i = 0; i < Math.max(names.size(), ranges.size()); i++) {
            String n = i < names.size() ? names.get(i).trim() : "";
            String r = i < ranges.size() ? ranges.get(i).trim() : "";
            if (!n.isEmpty() || !r.isEmpty()) deps.add(new Dependency(n, r));
        }
        return new ScriptForm(
                value(form, "name"),
                // a browser sends a textarea's line breaks as CRLF: the code keeps the editor's LF, so a save that
                // changes only settings does not make a new version of a script written through the API
                form.getFirst("code") == null ? "" : form.getFirst("code").replace("\r\n", "\n"),
                deps,
                form.containsKey("webhook"),
                form.containsKey("cron"),
                value(form, "cronExpression"),
                value(form, "cronTimezone"),
                value(form, "overlapPolicy"),
                value(form, "catchUpPolicy"),
                value(form, "timeoutSeconds"),
                value(form, "memoryMb"),
                value(form, "maxConcurrency"),
                form.getFirst("egressAllow") == null ? "" : form.getFirst("egressAllow"),
                value(form, "language").isEmpty() ? "node" : value(form, "language"));
    }

    /** The api request; problems the api cannot see (a row without a name, a number that is not one) throw. */
    /** The retry policy a script has, to carry through a save from this form (which does not edit it). */
    static ScriptRequest.RetryRequest retryOf(dev.cronhook.api.script.ScriptView current) {
        var r = current.retry();
        return r == null ? null : new ScriptRequest.RetryRequest(r.maxAttempts(), r.initialDelaySeconds(), r.factor());
    }

    ScriptRequest toRequest(ScriptRequest.RetryRequest retry) {
        var v = new Violations();
        Map<String, String> deps = new LinkedHashMap<>();
        for (var d : dependencies) {
            if (d.name().isEmpty()) v.add("dependencies.", "package name is required");
            else if (deps.containsKey(d.name())) v.add("dependencies." + d.name(), "is listed twice");
            else deps.put(d.name(), d.range());
        }
        Integer timeout = number(timeoutSeconds, "timeoutSeconds", v);
        Integer memory = number(memoryMb, "memoryMb", v);
        // empty means no limit, which the api takes as null
        Integer concurrency = number(maxConcurrency, "maxConcurrency", v);
        v.throwIfAny();
        var cronRequest =
                cron ? new ScriptRequest.CronRequest(cronExpression, cronTimezone, overlapPolicy, catchUpPolicy) : null;
        return new ScriptRequest(
                name,
                code,
                deps,
                webhook,
                cronRequest,
                timeout,
                memory,
                concurrency,
                retry,
                egressOf(egressAllow),
                language,
                null,
                null);
    }

    /** The outbound-network field, one host per line (blank lines left out), as the api's request. */
    static EgressRequest egressOf(String lines) {
        if (lines == null) return new EgressRequest(List.of());
        return new EgressRequest(
                lines.lines().map(String::strip).filter(line -> !line.isEmpty()).toList());
    }

    private static Integer number(String text, String field, Violations v) {
        if (text == null || text.isBlank()) return null;
        try {
            return Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            v.add(field, "must be a whole number");
            return null;
        }
    }

    private static String value(MultiValueMap<String, String> form, String key) {
        String s = form.getFirst(key);
        return s == null ? "" : s.trim();
    }

    /** The violations of a failed save, by field, for the page to show next to each field. */
    static Map<String, String> errorsOf(InvalidInputException e) {
        var out = new LinkedHashMap<String, String>();
        for (var v : e.violations()) {
            // a Python script's packages are the same rows of the form as a Node.js script's dependencies
            String field = v.field().startsWith("requirements")
                    ? "dependencies" + v.field().substring("requirements".length())
                    : v.field();
            out.merge(field, v.message(), (a, b) -> a + "; " + b);
        }
        return out;
    }
}

package dev.cronhook.api.script;

import dev.cronhook.api.environment.EnvironmentName;
import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.script.PythonRequirements;
import dev.cronhook.core.script.ScriptSource;
import dev.cronhook.core.script.SourceFiles;
import dev.cronhook.core.validation.Violations;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated {@link ScriptRequest}: every field checked, defaults applied, dependencies sorted. {@code maxConcurrency}
 * is null when the script's runs are not limited; {@code egress} is where its code may connect (a setting like the
 * limits: changing it makes no new version). {@code code} is the entry's text and {@code files} the version's other
 * files (path to text; empty for a one-file script); {@code environment} the environment asked for (checked to exist
 * by the service).
 */
public record ScriptDraft(
        String name,
        String code,
        Map<String, String> dependencies,
        boolean webhook,
        CronSchedule cron,
        String overlapPolicy,
        String catchUpPolicy,
        int timeoutSeconds,
        int memoryMb,
        Integer maxConcurrency,
        RetryPolicy retry,
        EgressPolicy egress,
        String language,
        Map<String, String> files,
        String environment) {

    /** The environment of a script whose request names none. */
    public static final String DEFAULT_ENVIRONMENT = "dev";

    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} ._-]*");
    private static final Set<String> OVERLAP = Set.of("allow", "skip", "queue");
    private static final Set<String> CATCH_UP = Set.of("skip", "run-once");

    public static ScriptDraft validate(ScriptRequest r, ScriptLimits limits) {
        var v = new Violations();
        if (r == null) {
            v.add("body", "is required").throwIfAny();
        }
        String name = r.name() == null ? null : r.name().trim();
        if (name == null || name.isEmpty()) v.add("name", "is required");
        else if (name.length() > 100) v.add("name", "must be at most 100 characters");
        else if (!NAME.matcher(name).matches()) {
            v.add("name", "may contain letters, digits, spaces, '.', '_' and '-', starting with a letter or digit");
        }

        String language = r.language() == null || r.language().isBlank()
                ? LanguageRuntime.DEFAULT
                : r.language().strip().toLowerCase(java.util.Locale.ROOT);
        var runtime = LanguageRuntime.names().contains(language) ? LanguageRuntime.of(language) : LanguageRuntime.NODE;
        var source = SourceFiles.of(r.files(), r.code(), runtime, limits.maxCodeBytes(), v);
        String code = source.code();
        String codeField = r.files() == null ? "code" : "files." + runtime.entryFile();
        int before = v.list().size();
        if (r.files() == null || code != null) ScriptSource.checkCode(code, language, limits.maxCodeBytes(), v);
        if (v.list().size() == before && runtime == LanguageRuntime.NODE) {
            JavaScriptSyntax.check(codeField, code, v);
            JavaScriptSyntax.checkModules(source.others(), v);
        }
        String environment = r.environment() == null || r.environment().isBlank()
                ? DEFAULT_ENVIRONMENT
                : r.environment().strip();
        String environmentProblem = EnvironmentName.problem(environment);
        if (environmentProblem != null) v.add("environment", environmentProblem);
        var manifest = source.manifestDependencies();
        if (manifest != null) {
            boolean alsoGiven = (r.dependencies() != null && !r.dependencies().isEmpty())
                    || (r.requirements() != null && !r.requirements().isEmpty())
                    || r.requirementsTxt() != null;
            if (alsoGiven) {
                v.add(
                        "files." + runtime.manifestFile(),
                        "gives the dependencies, and so does another field: give them one way");
            }
        }
        Map<String, String> deps = Map.of();
        if (!LanguageRuntime.names().contains(language)) {
            v.add("language", "must be one of " + String.join(", ", LanguageRuntime.names()));
        } else if (language.equals(LanguageRuntime.PYTHON.language())) {
            int ways = (r.requirements() != null ? 1 : 0)
                    + (r.dependencies() != null && !r.dependencies().isEmpty() ? 1 : 0)
                    + (r.requirementsTxt() != null ? 1 : 0);
            if (ways > 1) {
                v.add(
                        "requirements",
                        "give a Python script's packages one way: requirements, requirementsTxt or dependencies");
            }
            var given = manifest != null ? manifest : r.requirements() != null ? r.requirements() : r.dependencies();
            if (r.requirementsTxt() != null) {
                try {
                    given = PythonRequirements.parse(r.requirementsTxt());
                } catch (IllegalArgumentException e) {
                    v.add("requirementsTxt", e.getMessage());
                }
            }
            deps = ScriptSource.checkRequirements(given, limits.maxDependencies(), v);
        } else {
            if (r.requirements() != null && !r.requirements().isEmpty()) {
                v.add("requirements", "are for Python scripts; a Node.js script has dependencies");
            }
            deps = ScriptSource.checkDependencies(
                    manifest != null ? manifest : r.dependencies(), limits.maxDependencies(), v);
        }

        CronSchedule cron = null;
        String overlap = "skip";
        String catchUp = "run-once";
        if (r.cron() != null) {
            cron = CronSchedule.parse(r.cron().expression(), r.cron().timezone(), "cron", v);
            if (r.cron().overlapPolicy() != null) {
                overlap = r.cron().overlapPolicy();
                if (!OVERLAP.contains(overlap)) v.add("cron.overlapPolicy", "must be one of allow, skip, queue");
            }
            if (r.cron().catchUpPolicy() != null) {
                catchUp = r.cron().catchUpPolicy();
                if (!CATCH_UP.contains(catchUp)) v.add("cron.catchUpPolicy", "must be one of skip, run-once");
            }
        }

        int timeout = r.timeoutSeconds() == null ? limits.defaultTimeoutSeconds() : r.timeoutSeconds();
        if (timeout < 1 || timeout > limits.maxTimeoutSeconds()) {
            v.add("timeoutSeconds", "must be between 1 and " + limits.maxTimeoutSeconds());
        }
        int memory = r.memoryMb() == null ? limits.defaultMemoryMb() : r.memoryMb();
        if (memory < limits.minMemoryMb() || memory > limits.maxMemoryMb()) {
            v.add("memoryMb", "must be between " + limits.minMemoryMb() + " and " + limits.maxMemoryMb());
        }
        Integer concurrency = r.maxConcurrency();
        if (concurrency != null && (concurrency < 1 || concurrency > limits.maxConcurrency())) {
            v.add("maxConcurrency", "must be between 1 and " + limits.maxConcurrency() + ", or left out for no limit");
        }
        var retry = RetryPolicy.NONE;
        if (r.retry() != null) {
            var q = r.retry();
            int attempts = q.maxAttempts() == null ? RetryPolicy.NONE.maxAttempts() : q.maxAttempts();
            int delay =
                    q.initialDelaySeconds() == null ? RetryPolicy.NONE.initialDelaySeconds() : q.initialDelaySeconds();
            double factor = q.factor() == null ? RetryPolicy.NONE.factor() : q.factor();
            if (attempts < 1 || attempts > 10) v.add("retry.maxAttempts", "must be between 1 (no retry) and 10");
            if (delay < 1 || delay > 86_400) v.add("retry.initialDelaySeconds", "must be between 1 and 86400");
            if (!(factor >= 1 && factor <= 10)) v.add("retry.factor", "must be between 1 and 10");
            retry = new RetryPolicy(attempts, delay, factor);
        }
        var egress = EgressRequest.check(r.egress(), v);
        v.throwIfAny();
        return new ScriptDraft(
                name,
                code,
                deps,
                r.webhook() == null || r.webhook(),
                cron,
                overlap,
                catchUp,
                timeout,
                memory,
                concurrency,
                retry,
                egress,
                language,
                source.others(),
                environment);
    }
}

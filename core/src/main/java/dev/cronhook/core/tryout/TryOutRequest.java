package dev.cronhook.core.tryout;

import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.script.ScriptSource;
import dev.cronhook.core.script.SourceFiles;
import dev.cronhook.core.validation.Violations;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A try-out as the api hands it to a try-out worker: unsaved code, its dependencies (checked, sorted, ranges
 * trimmed), the event to give it, and until when the caller waits (a worker that takes it later skips it). A try-out
 * of a saved script names it ({@code scriptId}) and carries a token with which the worker, proving it is one, fetches
 * that script's secrets while the try-out runs ({@code secretsToken}; null for none). {@code egress} is where the code
 * may connect (null or empty: nowhere): the body's, else the saved script's. {@code language} names its runtime
 * (null: node). {@code files} are its files besides the entry ({@code code}), path to text (empty: one file). The
 * constructor checks code, files and dependencies like a saved script's and throws every violation at once.
 */
public record TryOutRequest(
        UUID id,
        UUID userId,
        String code,
        Map<String, String> dependencies,
        Map<String, Object> event,
        Instant deadline,
        UUID scriptId,
        String secretsToken,
        EgressPolicy egress,
        String language,
        Map<String, String> files) {
    public static final int MAX_CODE_BYTES = 256 * 1024;
    public static final int MAX_DEPENDENCIES = 50;

    public TryOutRequest {
        var v = new Violations();
        if (language == null || language.isBlank()) language = LanguageRuntime.DEFAULT;
        language = language.strip().toLowerCase(java.util.Locale.ROOT);
        Map<String, String> checked = Map.of();
        if (!LanguageRuntime.names().contains(language)) {
            v.add("language", "must be one of " + String.join(", ", LanguageRuntime.names()));
        } else {
            ScriptSource.checkCode(code, language, MAX_CODE_BYTES, v);
            if (files != null) {
                var runtime = LanguageRuntime.of(language);
                if (files.size() > SourceFiles.MAX_FILES) v.add("files", "at most " + SourceFiles.MAX_FILES + " files");
                files.forEach((path, text) -> {
                    String problem = SourceFiles.pathProblem(path, runtime);
                    if (problem == null && (path.equals(runtime.entryFile()) || path.equals(runtime.manifestFile()))) {
                        problem = "is the entry or the manifest, which are given as code and dependencies";
                    }
                    if (problem != null) v.add("files." + path, problem);
                    else if (text == null
                            || text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_CODE_BYTES) {
                        v.add("files." + path, "must be text of at most " + MAX_CODE_BYTES / 1024 + " KiB");
                    }
                });
            }
            checked = language.equals(LanguageRuntime.PYTHON.language())
                    ? ScriptSource.checkRequirements(dependencies, MAX_DEPENDENCIES, v)
                    : ScriptSource.checkDependencies(dependencies, MAX_DEPENDENCIES, v);
        }
        v.throwIfAny();
        if (id == null) throw new IllegalArgumentException("id is required");
        if (deadline == null) throw new IllegalArgumentException("deadline is required");
        dependencies = checked;
        event = event == null ? Map.of() : event;
        if (egress == null) egress = EgressPolicy.none();
        files = files == null ? Map.of() : Map.copyOf(files);
    }

    /** A try-out of code that belongs to no saved script: no secrets, no network. */
    public TryOutRequest(
            UUID id,
            UUID userId,
            String code,
            Map<String, String> dependencies,
            Map<String, Object> event,
            Instant deadline) {
        this(id, userId, code, dependencies, event, deadline, null, null, null, null, null);
    }

    /** A Node.js try-out. */
    public TryOutRequest(
            UUID id,
            UUID userId,
            String code,
            Map<String, String> dependencies,
            Map<String, Object> event,
            Instant deadline,
            UUID scriptId,
            String secretsToken) {
        this(id, userId, code, dependencies, event, deadline, scriptId, secretsToken, null, null, null);
    }

    /** The runtime this try-out's code is for. */
    public LanguageRuntime runtime() {
        return LanguageRuntime.of(language);
    }

    /** This try-out as a saved script's, with the token for its secrets. */
    public TryOutRequest withSecrets(UUID scriptId, String secretsToken) {
        return new TryOutRequest(
                id, userId, code, dependencies, event, deadline, scriptId, secretsToken, egress, language, files);
    }

    /** This try-out with an egress allow-list. */
    public TryOutRequest withEgress(EgressPolicy policy) {
        return new TryOutRequest(
                id, userId, code, dependencies, event, deadline, scriptId, secretsToken, policy, language, files);
    }

    @Override
    public String toString() {
        return "TryOutRequest[" + id + ", user " + userId + (scriptId == null ? "" : ", script " + scriptId) + "]";
    }
}

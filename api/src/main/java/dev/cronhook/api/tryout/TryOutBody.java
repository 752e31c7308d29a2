package dev.cronhook.api.tryout;

import dev.cronhook.api.script.EgressRequest;
import java.util.Map;
import java.util.UUID;

/**
 * The body of {@code POST /api/try-out}: unsaved code, its dependencies and the event to give it; with {@code
 * scriptId}, the code is tried as that saved script's, with its secrets. {@code egress} is where the code may connect
 * ({@code {"allow": [...]}}, as a script's); without it a saved script's try-out has the script's, unsaved code none.
 * {@code language} is {@code node} (the default) or {@code python}, whose packages are {@code requirements} (or
 * {@code dependencies}). {@code files} gives the code as several files, as a script's {@code files}: the entry
 * ({@code index.mjs}, {@code main.py}), the files beside it and perhaps a {@code package.json} with the dependencies.
 */
public record TryOutBody(
        String code,
        Map<String, String> dependencies,
        Map<String, Object> event,
        UUID scriptId,
        EgressRequest egress,
        String language,
        Map<String, String> requirements,
        Map<String, String> files) {
    public TryOutBody(String code, Map<String, String> dependencies, Map<String, Object> event) {
        this(code, dependencies, event, null, null, null, null, null);
    }

    public TryOutBody(String code, Map<String, String> dependencies, Map<String, Object> event, UUID scriptId) {
        this(code, dependencies, event, scriptId, null, null, null, null);
    }

    public TryOutBody(
            String code,
            Map<String, String> dependencies,
            Map<String, Object> event,
            UUID scriptId,
            EgressRequest egress,
            String language,
            Map<String, String> requirements) {
        this(code, dependencies, event, scriptId, egress, language, requirements, null);
    }
}

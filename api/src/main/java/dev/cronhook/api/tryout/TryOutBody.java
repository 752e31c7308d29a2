package dev.cronhook.api.tryout;

import java.util.Map;
import java.util.UUID;

/**
 * The body of {@code POST /api/try-out}: unsaved code, its dependencies and the event to give it; with {@code
 * scriptId}, the code is tried as that saved script's, with its secrets. {@code language} is {@code node} (the
 * default) or {@code python}, whose packages are {@code requirements} (or {@code dependencies}).
 */
public record TryOutBody(
        String code,
        Map<String, String> dependencies,
        Map<String, Object> event,
        UUID scriptId,
        String language,
        Map<String, String> requirements) {
    public TryOutBody(String code, Map<String, String> dependencies, Map<String, Object> event) {
        this(code, dependencies, event, null);
    }

    public TryOutBody(String code, Map<String, String> dependencies, Map<String, Object> event, UUID scriptId) {
        this(code, dependencies, event, scriptId, null, null);
    }
}

package dev.cronhook.api.tryout;

import java.util.Map;
import java.util.UUID;

/**
 * The body of {@code POST /api/try-out}: unsaved code, its dependencies and the event to give it; with {@code
 * scriptId}, the code is tried as that saved script's, with its secrets.
 */
public record TryOutBody(String code, Map<String, String> dependencies, Map<String, Object> event, UUID scriptId) {
    public TryOutBody(String code, Map<String, String> dependencies, Map<String, Object> event) {
        this(code, dependencies, event, null);
    }
}

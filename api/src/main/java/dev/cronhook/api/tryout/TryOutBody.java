package dev.cronhook.api.tryout;

import java.util.Map;

/** The body of {@code POST /api/try-out}: unsaved code, its dependencies and the event to give it. */
public record TryOutBody(String code, Map<String, String> dependencies, Map<String, Object> event) {}

package dev.cronhook.core.wire;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The JSON mapper for messages between processes: tolerant of fields it does not know (newer senders). */
public final class Wire {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Wire() {}

    public static JsonMapper json() {
        return MAPPER;
    }
}

package dev.cronhook.core.wire;

import java.time.Instant;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/** The JSON mapper for messages between processes: tolerant of fields it does not know (newer senders). */
public final class Wire {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new SimpleModule("cronhook-wire").addDeserializer(Instant.class, new UtcInstantDeserializer()))
            .build();

    private Wire() {}

    public static JsonMapper json() {
        return MAPPER;
    }
}

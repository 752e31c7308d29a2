package dev.cronhook.api.config;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.KeyDeserializer;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.module.SimpleModule;

/**
 * Refuses U+0000 in every string field and map key of an API request body, so that the field is named in a 400
 * instead of the database failing on it (PostgreSQL's TEXT takes no NUL; bcrypt would cut a password there; an
 * environment variable cannot hold one). JSON trees (a run's event) are not strings here and keep what they hold.
 */
final class NulFreeStrings extends SimpleModule {
    static final String MESSAGE = "must not contain a NUL character (U+0000)";

    NulFreeStrings() {
        super("cronhook-nul-free-strings");
        addDeserializer(String.class, new StringDeserializer() {
            @Override
            public String deserialize(JsonParser p, DeserializationContext ctxt) {
                return checked(p, super.deserialize(p, ctxt));
            }
        });
        addKeyDeserializer(String.class, new KeyDeserializer() {
            @Override
            public Object deserializeKey(String key, DeserializationContext ctxt) {
                if (key.indexOf('\0') >= 0)
                    throw InvalidFormatException.from(ctxt.getParser(), "key " + MESSAGE, key, String.class);
                return key;
            }
        });
    }

    private static String checked(JsonParser p, String value) {
        if (value != null && value.indexOf('\0') >= 0)
            throw InvalidFormatException.from(p, MESSAGE, value, String.class);
        return value;
    }
}

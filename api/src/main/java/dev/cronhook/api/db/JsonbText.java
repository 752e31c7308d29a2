package dev.cronhook.api.db;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Any JSON text, however it is made, in a JSONB column and back. PostgreSQL's JSONB (and CockroachDB's) refuses
 * the escape of U+0000, which a webhook body, query or header may carry: such a document is stored wrapped, as
 * the one-field object {@code {"cronhook:json": "<the JSON text>"}}, whose string holds the escape as plain
 * characters. A document that is itself such an object is wrapped too, so unwrapping is never ambiguous and what
 * comes back is what went in (as JSON: JSONB reorders keys and drops spaces either way).
 */
public final class JsonbText {
    static final String WRAPPER = "cronhook:json";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonbText() {}

    /** The text to give the column for {@code json} (null stays null). */
    public static String toColumn(String json) {
        if (json == null) return null;
        if (!json.contains("\\u0000") && !json.contains(WRAPPER)) return json;
        return JSON.writeValueAsString(JSON.createObjectNode().put(WRAPPER, json));
    }

    /** The JSON text a column's value stands for (null stays null). */
    public static String fromColumn(String stored) {
        if (stored == null || !stored.contains(WRAPPER)) return stored;
        JsonNode node = JSON.readTree(stored);
        if (node.isObject() && node.size() == 1 && node.path(WRAPPER).isString())
            return node.get(WRAPPER).asString();
        return stored;
    }
}

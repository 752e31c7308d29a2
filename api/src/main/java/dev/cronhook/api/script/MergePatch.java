package dev.cronhook.api.script;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** RFC 7396 JSON Merge Patch: what a patch does to a JSON document. */
final class MergePatch {
    private MergePatch() {}

    /** The target with the patch applied; neither is changed. */
    static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) return patch.deepCopy();
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : ((ObjectNode) patch).objectNode();
        for (var field : patch.properties()) {
            if (field.getValue().isNull()) result.remove(field.getKey());
            else result.set(field.getKey(), apply(result.get(field.getKey()), field.getValue()));
        }
        return result;
    }
}

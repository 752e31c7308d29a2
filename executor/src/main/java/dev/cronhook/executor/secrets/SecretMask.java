package dev.cronhook.executor.secrets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Replaces every secret value a run could see with {@code ***} in text that leaves the executor (log lines,
 * result, reply, error). Values shorter than {@link #MIN_LENGTH} are left alone: masking "1" or "ab" would
 * shred every line while hiding nothing. Longest values first, so a value containing another is masked whole.
 */
public final class SecretMask {
    public static final int MIN_LENGTH = 4;
    public static final String MARK = "***";
    private static final SecretMask NONE = new SecretMask(List.of());

    private final List<String> values;

    private SecretMask(List<String> values) {
        this.values = values;
    }

    public static SecretMask of(Collection<String> secretValues) {
        var list = new ArrayList<String>();
        for (String v : secretValues) {
            if (v == null || v.length() < MIN_LENGTH) continue;
            list.add(v);
            // the same value as it appears inside a JSON string (a result or a reply is JSON)
            String escaped = jsonEscaped(v);
            if (!escaped.equals(v)) list.add(escaped);
        }
        list.sort(Comparator.comparingInt(String::length).reversed());
        return list.isEmpty() ? NONE : new SecretMask(List.copyOf(list));
    }

    public static SecretMask none() {
        return NONE;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public String apply(String text) {
        if (text == null || values.isEmpty()) return text;
        String out = text;
        for (String v : values) {
            if (out.contains(v)) out = out.replace(v, MARK);
        }
        return out;
    }

    private static String jsonEscaped(String v) {
        var sb = new StringBuilder();
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.toString();
    }

    /** The reply with every secret masked in its headers and, unless it is binary, its body. */
    public dev.cronhook.core.run.HttpReply apply(dev.cronhook.core.run.HttpReply reply) {
        if (reply == null || isEmpty()) return reply;
        var headers = new java.util.LinkedHashMap<String, List<String>>();
        reply.headers()
                .forEach((name, headerValues) ->
                        headers.put(name, headerValues.stream().map(this::apply).toList()));
        return new dev.cronhook.core.run.HttpReply(
                reply.status(), headers, reply.base64() ? reply.body() : apply(reply.body()), reply.base64());
    }
}

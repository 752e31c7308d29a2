package dev.cronhook.executor.secrets;

import dev.cronhook.core.run.HttpReply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces every secret value a run could see with {@code ***} in text that leaves the executor (log lines,
 * result, reply, error): the value as it is and in every spelling a JSON string can give it, whoever wrote the
 * JSON (the harness's {@code JSON.stringify} writes form feed as {@code \f} and escape as backslash-u-001b,
 * Jackson backslash-u-000C, others {@code \/} or non-ASCII escaped): each character of the value may appear raw or
 * as any escape that means it, hex digits in either case, a character outside the BMP as its surrogate pair
 * escaped. Values shorter than
 * {@link #MIN_LENGTH} are left alone: masking "1" or "ab" would shred every line while hiding nothing. Longest
 * values first, so a value containing another is masked whole. Immutable and thread-safe.
 */
public final class SecretMask {
    public static final int MIN_LENGTH = 4;
    public static final String MARK = "***";
    private static final byte[] MARK_BYTES = MARK.getBytes(StandardCharsets.UTF_8);
    private static final SecretMask NONE = new SecretMask(null, List.of());

    private final Pattern pattern;
    private final List<byte[]> rawValues;

    private SecretMask(Pattern pattern, List<byte[]> rawValues) {
        this.pattern = pattern;
        this.rawValues = rawValues;
    }

    public static SecretMask of(Collection<String> secretValues) {
        var values = new ArrayList<String>();
        for (String v : secretValues) {
            if (v != null && v.length() >= MIN_LENGTH && !values.contains(v)) values.add(v);
        }
        if (values.isEmpty()) return NONE;
        values.sort(Comparator.comparingInt(String::length).reversed());
        var alternatives = new StringBuilder();
        var raw = new ArrayList<byte[]>();
        for (String v : values) {
            if (!alternatives.isEmpty()) alternatives.append('|');
            alternatives.append(anySpelling(v));
            raw.add(v.getBytes(StandardCharsets.UTF_8));
        }
        return new SecretMask(Pattern.compile(alternatives.toString()), List.copyOf(raw));
    }

    public static SecretMask none() {
        return NONE;
    }

    public boolean isEmpty() {
        return pattern == null;
    }

    public String apply(String text) {
        if (text == null || pattern == null) return text;
        Matcher m = pattern.matcher(text);
        return m.find() ? m.replaceAll(Matcher.quoteReplacement(MARK)) : text;
    }

    /**
     * The reply with every secret masked in its headers and body. A binary (base64) body is masked where it holds
     * a value's UTF-8 bytes as they are; what a script encodes on purpose (base64, hex, compression, UTF-16) is
     * not recognised.
     */
    public HttpReply apply(HttpReply reply) {
        if (reply == null || isEmpty()) return reply;
        var headers = new LinkedHashMap<String, List<String>>();
        reply.headers()
                .forEach((name, headerValues) ->
                        headers.put(name, headerValues.stream().map(this::apply).toList()));
        String body = reply.base64() ? applyToBase64(reply.body()) : apply(reply.body());
        return new HttpReply(reply.status(), headers, body, reply.base64());
    }

    private String applyToBase64(String body) {
        if (body == null) return null;
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            return apply(body);
        }
        byte[] masked = bytes;
        for (byte[] value : rawValues) masked = replace(masked, value);
        return masked == bytes ? body : Base64.getEncoder().encodeToString(masked);
    }

    private static byte[] replace(byte[] in, byte[] value) {
        var out = new java.io.ByteArrayOutputStream(in.length);
        boolean found = false;
        int i = 0;
        while (i < in.length) {
            if (startsWith(in, i, value)) {
                out.writeBytes(MARK_BYTES);
                i += value.length;
                found = true;
            } else {
                out.write(in[i++]);
            }
        }
        return found ? out.toByteArray() : in;
    }

    private static boolean startsWith(byte[] in, int at, byte[] value) {
        if (in.length - at < value.length) return false;
        for (int j = 0; j < value.length; j++) if (in[at + j] != value[j]) return false;
        return true;
    }

    /** A regular expression for {@code value} with each character in any of its JSON spellings. */
    private static String anySpelling(String value) {
        var sb = new StringBuilder("(?:");
        value.codePoints().forEach(cp -> sb.append(anySpelling(cp)));
        return sb.append(')').toString();
    }

    private static String anySpelling(int cp) {
        var forms = new ArrayList<String>();
        forms.add(
                Character.isLetterOrDigit(cp) && cp < 0x80
                        ? Character.toString(cp)
                        : "\\x{" + Integer.toHexString(cp) + "}");
        String shortEscape =
                switch (cp) {
                    case '"' -> "\\\\\"";
                    case '\\' -> "\\\\\\\\";
                    case '/' -> "\\\\/";
                    case '\b' -> "\\\\b";
                    case '\f' -> "\\\\f";
                    case '\n' -> "\\\\n";
                    case '\r' -> "\\\\r";
                    case '\t' -> "\\\\t";
                    default -> null;
                };
        if (shortEscape != null) forms.add(shortEscape);
        // a character outside the BMP is escaped as its two UTF-16 units
        var escaped = new StringBuilder();
        for (char unit : Character.toChars(cp)) escaped.append(unicodeEscape(unit));
        forms.add(escaped.toString());
        return "(?:" + String.join("|", forms) + ")";
    }

    /** Backslash-u-XXXX for one UTF-16 unit, hex digits in either case. */
    private static String unicodeEscape(char unit) {
        var sb = new StringBuilder("\\\\u");
        for (char hex : String.format("%04x", (int) unit).toCharArray()) {
            sb.append(Character.isLetter(hex) ? "[" + hex + Character.toUpperCase(hex) + "]" : String.valueOf(hex));
        }
        return sb.toString();
    }
}

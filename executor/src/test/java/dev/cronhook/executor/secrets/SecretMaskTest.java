package dev.cronhook.executor.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.run.HttpReply;
import dev.cronhook.core.wire.Wire;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every form in which a secret value can leave a run, and which of them the mask hides. */
class SecretMaskTest {
    /** Control characters both JSON writers escape differently, a quote, a slash, non-ASCII, a surrogate pair. */
    static final String SECRET = "pa\fss\u001b/wo\"rd\\\b\u2028\u00e9\uD83D\uDE00\u0000end";

    static final SecretMask MASK = SecretMask.of(List.of(SECRET, "short", "ab"));

    static Stream<Arguments> spellings() {
        return Stream.of(
                Arguments.of("as it is", (UnaryOperator<String>) s -> s),
                Arguments.of("JSON.stringify (the harness)", (UnaryOperator<String>) SecretMaskTest::jsonStringify),
                Arguments.of("Jackson (the executor and api)", (UnaryOperator<String>) SecretMaskTest::jackson),
                Arguments.of("every character as a lower-case unicode escape", (UnaryOperator<String>)
                        s -> unicodeEscaped(s, false)),
                Arguments.of("every character as an upper-case unicode escape", (UnaryOperator<String>)
                        s -> unicodeEscaped(s, true)),
                Arguments.of("JSON.stringify with the slash escaped", (UnaryOperator<String>)
                        s -> jsonStringify(s).replace("/", "\\/")),
                Arguments.of("short escapes as unicode ones, mixed case", (UnaryOperator<String>) s -> jsonStringify(s)
                        .replace("\\f", "\\u000C")
                        .replace("\\b", "\\u0008")
                        .replace("\\\"", "\\u0022")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spellings")
    void aSecretIsMaskedInALogLineInEverySpellingOfJson(String spelling, UnaryOperator<String> spell) {
        String line = "before " + spell.apply(SECRET) + " after";

        assertThat(MASK.apply(line)).isEqualTo("before *** after");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spellings")
    void aSecretIsMaskedInAResultInEverySpellingOfJson(String spelling, UnaryOperator<String> spell) {
        String result = "{\"nested\":{\"list\":[\"" + spell.apply(SECRET) + "\"]}}";

        assertThat(MASK.apply(result)).isEqualTo("{\"nested\":{\"list\":[\"***\"]}}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spellings")
    void aSecretIsMaskedInAReplysHeadersAndTextBody(String spelling, UnaryOperator<String> spell) {
        var reply = new HttpReply(
                200,
                Map.of("x-token", List.of("Bearer " + spell.apply(SECRET))),
                "{\"k\":\"" + spell.apply(SECRET) + "\"}",
                false);

        var masked = MASK.apply(reply);

        assertThat(masked.headers().get("x-token")).containsExactly("Bearer ***");
        assertThat(masked.body()).isEqualTo("{\"k\":\"***\"}");
    }

    @Test
    void aBinaryReplyIsMaskedWhereItHoldsTheValuesOwnBytes() {
        byte[] body = ("<" + SECRET + ">").getBytes(StandardCharsets.UTF_8);
        var reply = new HttpReply(200, Map.of(), Base64.getEncoder().encodeToString(body), true);

        var masked = MASK.apply(reply);

        assertThat(masked.base64()).isTrue();
        assertThat(new String(Base64.getDecoder().decode(masked.body()), StandardCharsets.UTF_8))
                .isEqualTo("<***>");
    }

    @Test
    void aValueTheScriptEncodedOnPurposeIsNotRecognised() {
        String encoded = Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8));
        var reply = new HttpReply(
                200, Map.of(), Base64.getEncoder().encodeToString(encoded.getBytes(StandardCharsets.UTF_8)), true);

        assertThat(MASK.apply("logged " + encoded)).isEqualTo("logged " + encoded);
        assertThat(MASK.apply(reply).body()).isEqualTo(reply.body());
    }

    @Test
    void aSecretAppearingTwiceIsMaskedTwice() {
        assertThat(MASK.apply("short " + SECRET + " and short " + jsonStringify(SECRET)))
                .isEqualTo("*** *** and *** ***");
    }

    @Test
    void aValueContainingAnotherIsMaskedWhole() {
        var mask = SecretMask.of(List.of("secret", "my-secret-value"));

        assertThat(mask.apply("x my-secret-value y secret")).isEqualTo("x *** y ***");
    }

    @Test
    void valuesShorterThanFourCharactersAreLeftAlone() {
        assertThat(SecretMask.of(List.of("ab", "xyz")).isEmpty()).isTrue();
        assertThat(MASK.apply("ab ab")).isEqualTo("ab ab");
    }

    @Test
    void textWithoutASecretIsReturnedAsItIs() {
        String text = "nothing to hide: p a s s \\f \\u001b";

        assertThat(MASK.apply(text)).isSameAs(text);
    }

    /** ECMAScript's QuoteJSONString without the quotes: what JSON.stringify writes inside a string. */
    static String jsonStringify(String s) {
        var sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\b' -> sb.append("\\b");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\f' -> sb.append("\\f");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.toString();
    }

    static String jackson(String s) {
        String quoted = Wire.json().writeValueAsString(s);
        return quoted.substring(1, quoted.length() - 1);
    }

    static String unicodeEscaped(String s, boolean upperCase) {
        var sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            String hex = String.format("%04x", (int) c);
            sb.append("\\u").append(upperCase ? hex.toUpperCase() : hex);
        }
        return sb.toString();
    }
}

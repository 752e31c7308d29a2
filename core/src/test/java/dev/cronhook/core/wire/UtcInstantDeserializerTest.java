package dev.cronhook.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

class UtcInstantDeserializerTest {
    /** Jackson without the wire's module: what the wire's mapper must agree with. */
    private static final JsonMapper PLAIN = JsonMapper.builder().build();

    private static Instant wire(String json) {
        return Wire.json().readValue(json, Instant.class);
    }

    private static Instant plain(String json) {
        return PLAIN.readValue(json, Instant.class);
    }

    @Test
    void instantsAsTheWireWritesThemAreReadByHandExactlyAsJacksonReadsThem() {
        var random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            // year 0000 to 9999, any nanosecond, cut to 0 to 9 digits of fraction
            long seconds = random.nextLong(-62_167_219_200L, 253_402_300_800L);
            int digits = random.nextInt(10);
            int nanos = random.nextInt(1_000_000_000) / (int) Math.pow(10, 9 - digits) * (int) Math.pow(10, 9 - digits);
            var instant = Instant.ofEpochSecond(seconds, nanos);
            String text = withFraction(digits).format(instant);

            assertThat(UtcInstantDeserializer.parse(text)).as(text).isEqualTo(instant);
            assertThat(wire('"' + text + '"')).as(text).isEqualTo(plain('"' + text + '"'));
        }
        // and as Instant.toString and Jackson's serializer write them (0, 3, 6 or 9 digits)
        var now = Instant.now();
        assertThat(UtcInstantDeserializer.parse(now.toString())).isEqualTo(now);
        assertThat(wire(Wire.json().writeValueAsString(now))).isEqualTo(now);
    }

    @Test
    void anyOtherFormIsLeftToJackson() {
        for (String json : new String[] {
            "\"2026-12-06T22:02:47+01:00\"",
            "\"2026-12-06T21:02:47.5+00:00\"",
            "1796590598.474",
            "1796590598",
            "\"+12026-12-06T21:02:47Z\"",
            "\"2026-12-06T21:02Z\"",
            "\"2026-12-06t21:02:47z\""
        }) {
            sameAsJackson(json);
        }
    }

    @Test
    void aTextThatNamesNoInstantIsNotReadByHandAndJacksonDecidesAsBefore() {
        for (String text : new String[] {
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-12-06T24:00:00Z",
            "2026-12-06T21:60:00Z",
            "2026-12-06T21:02:47.Z",
            "2026-12-06T21:02:47.1234567890Z",
            "2026-12-0x21:02:47Z",
            "not an instant",
            ""
        }) {
            assertThat(UtcInstantDeserializer.parse(text)).as(text).isNull();
            sameAsJackson('"' + text + '"');
        }
        assertThatThrownBy(() -> wire("\"2026-13-01T00:00:00Z\"")).isInstanceOf(JacksonException.class);
    }

    /** The wire's mapper reads {@code json} as Jackson alone does, or refuses it as Jackson does. */
    private static void sameAsJackson(String json) {
        Instant expected;
        try {
            expected = plain(json);
        } catch (JacksonException e) {
            assertThatThrownBy(() -> wire(json)).as(json).isInstanceOf(JacksonException.class);
            return;
        }
        assertThat(wire(json)).as(json).isEqualTo(expected);
    }

    private static DateTimeFormatter withFraction(int digits) {
        var builder = new DateTimeFormatterBuilder().appendPattern("uuuu-MM-dd'T'HH:mm:ss");
        if (digits > 0) builder.appendFraction(ChronoField.NANO_OF_SECOND, digits, digits, true);
        return builder.appendLiteral('Z').toFormatter().withZone(java.time.ZoneOffset.UTC);
    }
}

package dev.cronhook.core.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Utf8Codec} puts the same bytes on the wire as lettuce's {@code StringCodec.UTF8}, and reads them back. */
class Utf8CodecTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "cronhook:finished:3e989417-d207-4bd2-8450-e18d14290382",
                "{\"hello\":\"world\",\"n\":1}",
                "Grüße, 日本語, ✓",
                "an emoji 😀 (a surrogate pair)",
                "an unpaired surrogate \uD800 in the middle",
                "a NUL \u0000 and a DEL \u007f"
            })
    void encodesAsLettucesStringCodecAndDecodesBack(String text) {
        assertThat(wire(Utf8Codec.INSTANCE, text)).isEqualTo(wire(StringCodec.UTF8, text));
        var encoded = Utf8Codec.INSTANCE.encodeValue(text);
        assertThat(Utf8Codec.INSTANCE.decodeValue(encoded))
                .isEqualTo(StringCodec.UTF8.decodeValue(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
        if (!text.contains("\uD800"))
            assertThat(Utf8Codec.INSTANCE.decodeKey(Utf8Codec.INSTANCE.encodeKey(text)))
                    .isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aNullKeyOrValueIsAnEmptyString(boolean key) {
        var encoded = key ? Utf8Codec.INSTANCE.encodeKey(null) : Utf8Codec.INSTANCE.encodeValue(null);
        assertThat(encoded.remaining()).isZero();
        assertThat(wire(Utf8Codec.INSTANCE, null)).isEqualTo(wire(StringCodec.UTF8, null));
    }

    /** The RESP bytes of a command's arguments: the text as a key and as a value. */
    private static String wire(io.lettuce.core.codec.RedisCodec<String, String> codec, String text) {
        ByteBuf buf = Unpooled.buffer();
        try {
            new CommandArgs<>(codec).addKey(text).addValue(text).encode(buf);
            return buf.toString(StandardCharsets.ISO_8859_1);
        } finally {
            buf.release();
        }
    }
}

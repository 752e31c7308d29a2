package dev.cronhook.api.alert;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpChannelSenderTest {
    @Test
    void theSignatureIsHmacSha256OverTheTimestampADotAndTheBody() {
        // computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        assertThat(HttpChannelSender.sign("secret", "1700000000", "{\"a\":1}"))
                .isEqualTo("49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686");
    }

    @Test
    void anotherTimestampOrBodyOrSecretChangesTheSignature() {
        String s = HttpChannelSender.sign("secret", "1700000000", "{\"a\":1}");
        assertThat(s).hasSize(64).matches("[0-9a-f]+");
        assertThat(HttpChannelSender.sign("secret", "1700000001", "{\"a\":1}")).isNotEqualTo(s);
        assertThat(HttpChannelSender.sign("secret", "1700000000", "{\"a\":2}")).isNotEqualTo(s);
        assertThat(HttpChannelSender.sign("other", "1700000000", "{\"a\":1}")).isNotEqualTo(s);
    }
}

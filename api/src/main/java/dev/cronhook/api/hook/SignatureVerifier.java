package dev.cronhook.api.hook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 over the raw body, as GitHub signs webhooks: header value {@code sha256=<hex>} (a bare hex digest
 * is accepted too). Compared in constant time.
 */
public final class SignatureVerifier {
    private SignatureVerifier() {}

    public static String sign(String secret, byte[] body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean verify(String secret, byte[] body, String headerValue) {
        if (headerValue == null || headerValue.isBlank()) return false;
        String given = headerValue.trim().toLowerCase(java.util.Locale.ROOT);
        if (!given.startsWith("sha256=")) given = "sha256=" + given;
        return MessageDigest.isEqual(
                sign(secret, body).getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
    }
}

package dev.cronhook.executor.runtime.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The registry an executor reads script versions' code from, by layer digest, instead of taking it out of their
 * images in the engine: its {@code host[:port]} (a namespace after it, as in {@code registry.digitalocean.com/acme},
 * is part of the images' repositories, not of the registry), credentials (both null for anonymous; used for HTTP basic and to get
 * a token in the Docker registry token flow) and whether it is spoken to over plain HTTP.
 */
public record RegistryAccess(String host, String username, String password, boolean plainHttp) {
    public RegistryAccess {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("a registry host is required");
        host = host.strip();
        int slash = host.indexOf('/');
        if (slash >= 0) host = host.substring(0, slash);
        if (username != null && username.isBlank()) username = null;
        if (username == null) password = null;
    }

    /**
     * {@code host} with credentials, over plain HTTP when {@code insecure} says so or, when it is null, only for
     * localhost, 127.0.0.1 and [::1] (the builder's rule).
     */
    public static RegistryAccess of(String host, String username, String password, Boolean insecure) {
        String name = host.strip().replaceFirst("/.*$", "").replaceFirst(":\\d+$", "");
        boolean plain = insecure != null
                ? insecure
                : name.equals("127.0.0.1") || name.equals("localhost") || name.equals("[::1]");
        return new RegistryAccess(host, username, password, plain);
    }

    /**
     * These settings, with the credentials a Docker client configuration ({@code config.json}, {@code auths}) holds
     * for the host when none are given: the pull credentials an executor's engine is given. Unchanged when the file
     * is missing or has none.
     */
    public RegistryAccess withCredentialsFrom(Path dockerConfig) {
        if (username != null || dockerConfig == null || !Files.isRegularFile(dockerConfig)) return this;
        try {
            var auths = dev.cronhook.core.wire.Wire.json()
                    .readTree(Files.readString(dockerConfig))
                    .path("auths");
            for (String key : new String[] {host, "https://" + host, "http://" + host}) {
                var entry = auths.path(key);
                if (entry.isMissingNode()) continue;
                if (entry.hasNonNull("auth")) {
                    String pair = new String(
                            Base64.getDecoder().decode(entry.get("auth").asString()), StandardCharsets.UTF_8);
                    int colon = pair.indexOf(':');
                    if (colon > 0) {
                        return new RegistryAccess(host, pair.substring(0, colon), pair.substring(colon + 1), plainHttp);
                    }
                }
                if (entry.hasNonNull("username")) {
                    return new RegistryAccess(
                            host,
                            entry.get("username").asString(),
                            entry.path("password").asString(""),
                            plainHttp);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no credentials from it: anonymous, or the engine's path when the registry refuses
        }
        return this;
    }

    @Override
    public String toString() {
        return "RegistryAccess[" + host + (username == null ? "" : ", as " + username)
                + (plainHttp ? ", plain HTTP" : "") + "]";
    }
}

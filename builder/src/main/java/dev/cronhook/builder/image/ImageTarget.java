package dev.cronhook.builder.image;

import java.nio.file.Path;

/** Where {@link JibImageBuilder} puts the images it builds. */
public sealed interface ImageTarget {

    /**
     * A registry ({@code host[:port]}); {@code username}/{@code password} may be null; {@code allowInsecure}
     * permits plain HTTP (meant for a registry on 127.0.0.1).
     */
    record Registry(String host, String username, String password, boolean allowInsecure) implements ImageTarget {
        public Registry {
            if (host == null || host.isBlank()) throw new IllegalArgumentException("registry host is required");
        }

        @Override
        public String toString() {
            return "Registry[" + host + (username == null ? "" : ", user " + username) + "]";
        }
    }

    /** The local Docker engine, loaded through the {@code docker} CLI at this path. */
    record DockerDaemon(Path dockerExecutable) implements ImageTarget {}
}

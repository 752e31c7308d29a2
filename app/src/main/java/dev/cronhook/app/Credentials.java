package dev.cronhook.app;

import dev.cronhook.app.embedded.SecretFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The platform's own credentials: the worker credential {@code CRONHOOK_INTERNAL_TOKEN}, made under {@code CRONHOOK_HOME} when none is given. */
final class Credentials {
    private Credentials() {}

    /** The worker credential kept in {@code <home>/internal-token}, made on the first start. */
    static String internalToken(Path home) {
        try {
            return SecretFile.readOrCreate(home.resolve("internal-token"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make " + home.resolve("internal-token"), e);
        }
    }
}

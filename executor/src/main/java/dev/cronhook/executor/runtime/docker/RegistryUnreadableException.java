package dev.cronhook.executor.runtime.docker;

import java.io.IOException;

/**
 * The registry cannot give an image's code now (not reachable, too slow, refused our credentials, has no such
 * image) or gives it in a form this reader does not take (an index of platforms, layers that delete files): the code
 * is taken out of the image in the engine instead.
 */
sealed class RegistryUnreadableException extends IOException permits RegistryUnreachableException {
    RegistryUnreadableException(String message) {
        super(message);
    }

    RegistryUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}

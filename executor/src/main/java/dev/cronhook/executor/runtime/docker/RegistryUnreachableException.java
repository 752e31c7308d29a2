package dev.cronhook.executor.runtime.docker;

/**
 * The registry as a whole could not be read (no connection, no answer in time, the connection broke): unlike a
 * missing or refused image, this says nothing of one image, and the next image would wait for the same deadlines.
 */
final class RegistryUnreachableException extends RegistryUnreadableException {
    RegistryUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}

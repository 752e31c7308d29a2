package dev.cronhook.executor.runtime;

/** The image (or bundle) a run names cannot be found or pulled; the run fails, retrying would not help. */
public class ImageUnavailableException extends RuntimeException {
    public ImageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

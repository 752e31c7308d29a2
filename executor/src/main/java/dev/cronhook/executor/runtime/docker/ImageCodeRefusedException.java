package dev.cronhook.executor.runtime.docker;

import dev.cronhook.executor.runtime.ImageUnavailableException;

/**
 * What an image's code arrived as must not be used: a manifest or blob whose content is not what its digest names,
 * an archive entry leaving its directory, more than the size allowed. The call fails; nothing of it is kept.
 */
final class ImageCodeRefusedException extends ImageUnavailableException {
    ImageCodeRefusedException(String message) {
        super(message, null);
    }
}

package dev.cronhook.executor.runtime.docker;

import java.io.IOException;

/** A started container's harness did not connect to the socket given to it: it exited first, or took too long. */
public final class HarnessDidNotConnectException extends IOException {
    HarnessDidNotConnectException(String message) {
        super(message);
    }
}

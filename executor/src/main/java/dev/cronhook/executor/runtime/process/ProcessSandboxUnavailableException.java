package dev.cronhook.executor.runtime.process;

/** The process runtime was asked to run user code in sandboxes and this machine cannot make one. */
public final class ProcessSandboxUnavailableException extends IllegalStateException {
    public ProcessSandboxUnavailableException(String message) {
        super(message);
    }
}

package dev.cronhook.executor.logs;

/**
 * A {@link dev.cronhook.core.log.LogStore} stored the first {@link #stored()} lines of an append and then failed; a
 * retry must send only the rest, or the stored lines would be stored twice.
 */
public class LogPartlyAppendedException extends RuntimeException {

    private final int stored;

    public LogPartlyAppendedException(int stored, RuntimeException cause) {
        super("the first " + stored + " lines were stored, then: " + cause.getMessage(), cause);
        this.stored = stored;
    }

    /** How many lines, from the start of the append, are stored. */
    public int stored() {
        return stored;
    }
}

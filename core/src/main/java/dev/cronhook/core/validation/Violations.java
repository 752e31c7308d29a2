package dev.cronhook.core.validation;

import java.util.ArrayList;
import java.util.List;

/** Collects violations while a command is checked, then throws them all at once. */
public final class Violations {
    private final List<Violation> list = new ArrayList<>();

    public Violations add(String field, String message) {
        list.add(new Violation(field, message));
        return this;
    }

    /** A fault at a line and column (from 1) of a field that holds code. */
    public Violations add(String field, String message, int line, int column) {
        list.add(new Violation(field, message, line, column));
        return this;
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<Violation> list() {
        return List.copyOf(list);
    }

    public void throwIfAny() {
        if (!list.isEmpty()) throw new InvalidInputException(list);
    }
}

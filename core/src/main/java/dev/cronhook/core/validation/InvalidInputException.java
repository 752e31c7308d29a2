package dev.cronhook.core.validation;

import java.util.List;

/** Thrown when a command fails validation; carries every field at fault, not just the first. */
public class InvalidInputException extends RuntimeException {
    private final List<Violation> violations;

    public InvalidInputException(List<Violation> violations) {
        super(violations.isEmpty() ? "invalid input" : describe(violations));
        this.violations = List.copyOf(violations);
    }

    public InvalidInputException(String field, String message) {
        this(List.of(new Violation(field, message)));
    }

    public List<Violation> violations() {
        return violations;
    }

    private static String describe(List<Violation> violations) {
        var sb = new StringBuilder();
        for (var v : violations) {
            if (!sb.isEmpty()) sb.append("; ");
            sb.append(v.field()).append(": ").append(v.message());
        }
        return sb.toString();
    }
}

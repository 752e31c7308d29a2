package dev.cronhook.core.validation;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One field of a request that is at fault, and why; for a fault inside code, the line and column (from 1) where it
 * is, else null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Violation(String field, String message, Integer line, Integer column) {
    public Violation(String field, String message) {
        this(field, message, null, null);
    }
}

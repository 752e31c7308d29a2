package dev.cronhook.core.validation;

/** One field of a request that is at fault, and why. */
public record Violation(String field, String message) {}

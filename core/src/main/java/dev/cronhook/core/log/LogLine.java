package dev.cronhook.core.log;

import java.time.Instant;

/** One line a run or a build printed: when, on which stream (stdout, stderr, system), and the text. */
public record LogLine(Instant time, String stream, String text) {}

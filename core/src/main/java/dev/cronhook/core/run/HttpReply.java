package dev.cronhook.core.run;

import java.util.List;
import java.util.Map;

/** The HTTP reply a script returned as a web-standard Response; body is base64 when {@code base64} is true. */
public record HttpReply(int status, Map<String, List<String>> headers, String body, boolean base64) {}

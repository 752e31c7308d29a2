package dev.cronhook.api.user;

import java.util.UUID;

/** The signed-in user a request acts for. */
public record CurrentUser(UUID id, String username, boolean admin) {}

package dev.cronhook.app;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What one process does, from {@code cronhook.roles}: a comma-separated list, or {@code all}. */
public record Roles(Set<Role> roles) {
    /** One role a process can take. */
    public enum Role {
        API,
        WEB,
        SCHEDULER,
        BUILDER,
        EXECUTOR,
        TRY_OUT;

        public String propertyName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public static Roles parse(String value) {
        var set = EnumSet.noneOf(Role.class);
        for (String part : value.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) continue;
            if (name.equals("all")) {
                set.addAll(EnumSet.allOf(Role.class));
                continue;
            }
            try {
                set.add(Role.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown role '" + part.trim()
                        + "' in cronhook.roles; the roles are all, api, web, scheduler, builder, executor, try-out");
            }
        }
        if (set.isEmpty()) throw new IllegalArgumentException("cronhook.roles names no role");
        // the web UI and the scheduler work through the api's store and services
        if (set.contains(Role.WEB) || set.contains(Role.SCHEDULER)) set.add(Role.API);
        return new Roles(Set.copyOf(set));
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** Only the api (and what needs it) talks to the database; workers never hold its credentials. */
    public boolean needsDatabase() {
        return has(Role.API);
    }
}

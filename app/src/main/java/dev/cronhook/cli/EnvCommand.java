package dev.cronhook.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Set;

/** {@code env list|create|protect|unprotect} and {@code promote}: environments and moving scripts between them. */
final class EnvCommand implements Command {
    @Override
    public String name() {
        return "env";
    }

    @Override
    public String summary() {
        return "list, create, protect or unprotect environments";
    }

    @Override
    public Set<String> flags() {
        return Set.of("protected");
    }

    @Override
    public String help() {
        return """
                Usage: cronhook env list [--json]
                       cronhook env create NAME [--protected]
                       cronhook env protect NAME
                       cronhook env unprotect NAME

                Every script exists per environment, with its own webhook, schedule, secrets and
                active version; dev and prod always exist. In a protected environment only
                cronhook promote changes scripts (deploy, edits and deletes are refused).
                """;
    }

    @Override
    public int run(Args args, Session session) {
        var pos = args.positionals(name(), 1, 2);
        var client = session.client();
        switch (pos.getFirst()) {
            case "list", "ls" -> {
                if (pos.size() > 1) throw CliException.usage("env list takes no argument");
                var list = client.get("/api/environments");
                if (session.json()) session.printJson(list);
                else
                    for (var e : list) {
                        session.out()
                                .println(e.path("name").asString()
                                        + (e.path("protected").asBoolean(false) ? "  (protected)" : ""));
                    }
            }
            case "create" -> {
                String name = named(pos);
                var body = new LinkedHashMap<String, Object>();
                body.put("name", name);
                body.put("protected", args.flag("protected"));
                client.post("/api/environments", body);
                session.out()
                        .println("Environment " + name + " created" + (args.flag("protected") ? " (protected)." : "."));
            }
            case "protect", "unprotect" -> {
                String name = named(pos);
                boolean p = pos.getFirst().equals("protect");
                client.put("/api/environments/" + ApiClient.encode(name), java.util.Map.of("protected", p));
                session.out().println("Environment " + name + (p ? " is protected." : " is not protected."));
            }
            default ->
                throw CliException.usage(
                        "unknown env command " + pos.getFirst() + " (list, create, protect, unprotect)");
        }
        return ExitCode.OK;
    }

    private static String named(java.util.List<String> pos) {
        if (pos.size() != 2) throw CliException.usage("env " + pos.getFirst() + " needs a NAME");
        return pos.get(1);
    }

    /** {@code promote}: makes the images of one environment's scripts active in another, without a rebuild. */
    static final class Promote implements Command {
        @Override
        public String name() {
            return "promote";
        }

        @Override
        public String summary() {
            return "make dev's built versions active in prod (same image, no rebuild)";
        }

        @Override
        public Set<String> valued() {
            return Set.of("from", "to");
        }

        @Override
        public String help() {
            return """
                    Usage: cronhook promote --from E1 --to E2 [SCRIPT...] [--json]

                    Makes the active version of each SCRIPT (default: every script of E1) active in
                    E2: the very image E1 runs (same digest), with its files and settings, created in
                    E2 when it is not there yet. E2 keeps its own webhook URLs, secrets and schedules.
                    The one way to change a protected environment.
                    Example: cronhook promote --from dev --to prod
                    """;
        }

        @Override
        public int run(Args args, Session session) {
            if (!args.has("from") || !args.has("to")) throw CliException.usage("promote needs --from and --to");
            String from = args.option("from", "dev");
            String to = args.option("to", "prod");
            if (from.equals(to)) throw CliException.usage("--from and --to are the same environment");
            var body = new LinkedHashMap<String, Object>();
            body.put("from", from);
            if (!args.positionals().isEmpty()) body.put("scripts", new ArrayList<>(args.positionals()));
            var answer = session.client().post("/api/environments/" + ApiClient.encode(to) + "/promote", body);
            if (session.json()) {
                session.printJson(answer);
                return ExitCode.OK;
            }
            var promoted = answer.path("promoted");
            session.out()
                    .println("Promoted " + promoted.size() + " script" + (promoted.size() == 1 ? "" : "s") + " from "
                            + from + " to " + to + ":");
            int width = 4;
            for (var p : promoted)
                width = Math.max(width, p.path("name").asString().length());
            for (var p : promoted) {
                session.out()
                        .printf(
                                "  %-" + width + "s  v%-3d %-9s  %s  %s%n",
                                p.path("name").asString(),
                                p.path("version").asInt(),
                                p.path("changed").asBoolean(true) ? "promoted" : "unchanged",
                                shortDigest(p.path("imageDigest").asString("")),
                                p.path("webhookUrl").asString("(no webhook)"));
            }
            return ExitCode.OK;
        }

        private static String shortDigest(String d) {
            return d.startsWith("sha256:") && d.length() > 19 ? d.substring(0, 19) : d;
        }
    }
}

package dev.cronhook.cli;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** {@code runs} and {@code logs}: what the scripts did. */
final class RunCommands {
    private RunCommands() {}

    /** The script of an environment with this name; not found otherwise. */
    static JsonNode script(ApiClient client, String env, String name) {
        for (var s : client.get("/api/scripts?environment=" + ApiClient.encode(env))) {
            if (s.has("environment") && !s.get("environment").asString().equals(env)) continue;
            if (s.path("name").asString().equals(name)) return s;
        }
        throw new CliException(ExitCode.NOT_FOUND, "no script " + name + " in " + env);
    }

    /** The latest runs, of one script or of every script of an environment. */
    static final class Runs implements Command {
        @Override
        public String name() {
            return "runs";
        }

        @Override
        public String summary() {
            return "list the latest runs of a script or of an environment";
        }

        @Override
        public Set<String> valued() {
            return Set.of("env", "limit", "status");
        }

        @Override
        public String help() {
            return """
                    Usage: cronhook runs [SCRIPT] [--env E] [--limit N] [--status S] [--json]

                    Lists the latest runs (newest first, default 20, at most 500) of SCRIPT in the
                    environment E (default dev), or of every script of E. --status keeps one status
                    (QUEUED, RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED). The first column is
                    the run's id, for cronhook logs.
                    """;
        }

        @Override
        public int run(Args args, Session session) {
            var pos = args.positionals(name(), 0, 1);
            String env = DeployCommand.environment(args);
            int limit = args.intOption("limit", 20, 1, 500);
            var client = session.client();
            var names = new HashMap<String, String>();
            String query;
            if (pos.isEmpty()) {
                for (var s : client.get("/api/scripts?environment=" + ApiClient.encode(env))) {
                    if (s.has("environment") && !s.get("environment").asString().equals(env)) continue;
                    names.put(s.path("id").asString(), s.path("name").asString());
                }
                query = "limit=" + 500;
            } else {
                var s = script(client, env, pos.getFirst());
                names.put(s.path("id").asString(), s.path("name").asString());
                query = "scriptId=" + s.path("id").asString() + "&limit=" + limit;
            }
            if (args.has("status"))
                query += "&status=" + ApiClient.encode(args.option("status", "").toUpperCase(Locale.ROOT));
            var runs = ApiClient.JSON.createArrayNode();
            for (var r : client.get("/api/runs?" + query)) {
                if (runs.size() >= limit) break;
                if (names.containsKey(r.path("scriptId").asString())) runs.add(r);
            }
            if (session.json()) {
                session.printJson(runs);
                return ExitCode.OK;
            }
            if (runs.isEmpty()) {
                session.out().println("No runs.");
                return ExitCode.OK;
            }
            int width = Math.max(
                    6, names.values().stream().mapToInt(String::length).max().orElse(6));
            session.out()
                    .printf(
                            "%-36s  %-" + width + "s  %-4s  %-9s  %-7s  %-24s  %s%n",
                            "RUN",
                            "SCRIPT",
                            "VER",
                            "STATUS",
                            "TRIGGER",
                            "STARTED",
                            "MS");
            for (var r : runs) {
                session.out()
                        .printf(
                                "%-36s  %-" + width + "s  v%-3d  %-9s  %-7s  %-24s  %s%n",
                                r.path("id").asString(),
                                names.get(r.path("scriptId").asString()),
                                r.path("version").asInt(),
                                r.path("status").asString(),
                                r.path("trigger").asString(""),
                                r.path("startedAt").asString(r.path("queuedAt").asString("")),
                                r.path("durationMs").isNumber()
                                        ? r.get("durationMs").asLong()
                                        : "");
            }
            return ExitCode.OK;
        }
    }

    /** A run's log lines, or following them until the run ends. */
    static final class Logs implements Command {
        @Override
        public String name() {
            return "logs";
        }

        @Override
        public String summary() {
            return "print a run's log lines, or follow them live";
        }

        @Override
        public Set<String> flags() {
            return Set.of("follow");
        }

        @Override
        public String help() {
            return """
                    Usage: cronhook logs RUN [--follow] [--json]

                    Prints the log lines of the run RUN (an id from cronhook runs), its standard
                    error lines on stderr. With --follow (-f is not supported: spell it out), keeps
                    printing lines as the run writes them until it ends; the exit code is then 1
                    when the run did not succeed. --json prints {runId, status, lines} (without
                    --follow) or one JSON line per event (with it).
                    """;
        }

        @Override
        public int run(Args args, Session session) {
            String run = args.positionals(name(), 1, 1).getFirst();
            if (!run.matches("[0-9a-fA-F-]{36}"))
                throw CliException.usage(run + " is not a run id (cronhook runs lists them)");
            var client = session.client();
            String path = "/api/runs/" + run + "/logs";
            if (!args.flag("follow")) {
                var log = client.get(path);
                if (session.json()) {
                    session.printJson(log);
                    return ExitCode.OK;
                }
                for (var line : log.path("lines")) print(session, line);
                return ExitCode.OK;
            }
            String[] status = {null};
            client.events("GET", path, null, e -> {
                if (session.json())
                    session.out()
                            .println(ApiClient.JSON.writeValueAsString(Map.of("event", e.name(), "data", e.data())));
                if (e.name().equals("end")) {
                    status[0] = e.data().path("status").asString();
                    return false;
                }
                if (e.name().equals("line") && !session.json()) print(session, e.data());
                return true;
            });
            if (status[0] == null) throw new CliException(ExitCode.SERVER, "the log stream ended before the run");
            if (!session.json())
                session.err()
                        .println("run " + status[0].toLowerCase(Locale.ROOT).replace('_', ' '));
            return status[0].equals("SUCCEEDED") ? ExitCode.OK : ExitCode.FAILED;
        }

        private static void print(Session session, JsonNode line) {
            var stream = "stderr".equals(line.path("stream").asString()) ? session.err() : session.out();
            stream.println(line.path("text").asString(""));
        }
    }
}

package dev.cronhook.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code deploy}: makes an environment hold the project's scripts. Each script is created, or updated by name
 * (the server makes no new version when nothing changed), its alert rules are set, and the builds are waited for.
 */
class DeployCommand implements Command {
    static final String ENV_HELP = "--env E       the environment (default dev; cronhook env list shows them)";

    @Override
    public String name() {
        return "deploy";
    }

    @Override
    public String summary() {
        return "create or update every script of the project, wait for the builds";
    }

    @Override
    public Set<String> valued() {
        return Set.of("env", "timeout");
    }

    @Override
    public Set<String> flags() {
        return Set.of("wait", "no-wait");
    }

    @Override
    public String help() {
        return """
                Usage: cronhook deploy [DIR] [--env E] [--no-wait] [--timeout SECONDS] [--json]

                Reads the project in DIR (default: the current directory; cronhook.yaml,
                cronhook.yml or cronhook.json), checks it and every script's files, then creates
                or updates each script by name in the environment E (default dev), sets its alert
                rules, waits until every new version is built and active (unless --no-wait; at most
                --timeout seconds, default 600) and prints the webhook URLs. Deploying again with
                nothing changed makes no new version. Warns about declared secret names that are
                not set in E. Scripts of E that the project does not name are left alone.
                Exit code 1 when a build failed (its log's tail is printed), 3 when E is protected
                (only cronhook promote changes it), 4 when E does not exist.
                """;
    }

    @Override
    public int run(Args args, Session session) {
        var pos = args.positionals(name(), 0, 1);
        Path dir = session.terminal().resolve(pos.isEmpty() ? "." : pos.getFirst());
        return deploy(args, session, dir);
    }

    static int deploy(Args args, Session session, Path dir) {
        if (args.flag("wait") && args.flag("no-wait")) throw CliException.usage("give --wait or --no-wait, not both");
        String env = environment(args);
        int timeout = args.intOption("timeout", 600, 1, 86_400);
        var deployment = new Deployment(session, dir, env);
        var results = deployment.apply(!args.flag("no-wait"), Duration.ofSeconds(timeout));
        return deployment.report(results);
    }

    /** The {@code --env} option, checked for shape (the server says whether it exists). */
    static String environment(Args args) {
        String env = args.option("env", "dev");
        if (!env.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw CliException.usage("--env: letters, digits, '.', '_' and '-', at most 63 characters");
        }
        return env;
    }

    /**
     * Sets the source fields of a script body: {@code code} (the entry), {@code files} when there is more than the
     * entry, and the dependencies from the project file or from package.json / requirements.txt.
     */
    static void sourceFields(
            ObjectNode body, String language, ScriptFiles files, Map<String, String> declared, String name) {
        String entry = ScriptFiles.entry(language);
        body.put("code", files.files().get(entry));
        if (files.files().size() > 1) body.set("files", ApiClient.JSON.valueToTree(new TreeMap<>(files.files())));
        if (declared != null && (files.packageDependencies() != null || files.requirementsTxt() != null)) {
            throw CliException.usage("script " + name + ": give its dependencies in the project file or in "
                    + (language.equals("python") ? "requirements.txt" : "package.json") + ", not both");
        }
        if (files.requirementsTxt() != null) body.put("requirementsTxt", files.requirementsTxt());
        else {
            var deps = declared != null ? declared : files.packageDependencies();
            body.set("dependencies", ApiClient.JSON.valueToTree(deps != null ? deps : Map.of()));
        }
    }

    /** One script's outcome. */
    record Result(
            String name,
            String id,
            int version,
            Integer activeVersion,
            boolean created,
            boolean changed,
            String buildState,
            String webhookUrl,
            String error) {}

    /** A deployment of one project to one environment. */
    static final class Deployment {
        private final Session session;
        private final Path dir;
        private final String env;
        private final ProjectFile project;
        private final Map<String, ObjectNode> bodies = new LinkedHashMap<>();

        Deployment(Session session, Path dir, String env) {
            this.session = session;
            this.dir = dir;
            this.env = env;
            this.project = ProjectFile.load(ProjectFile.find(dir));
            // every script's files are read and checked before anything is sent
            for (var s : project.scripts()) {
                var files = ScriptFiles.read(dir, dir.resolve(s.dir()).normalize(), s.name(), s.language());
                var body = s.settings().deepCopy();
                body.put("name", s.name());
                body.put("language", s.language());
                sourceFields(body, s.language(), files, s.dependencies(), s.name());
                bodies.put(s.name(), body);
            }
        }

        List<Result> apply(boolean wait, Duration timeout) {
            var client = session.client();
            var existing = new LinkedHashMap<String, JsonNode>();
            for (var s : client.get("/api/scripts?environment=" + ApiClient.encode(env))) {
                // a server that knows environments filters; this is for one that shows another's too
                if (s.has("environment") && !s.get("environment").asString().equals(env)) continue;
                existing.put(s.path("name").asString(), s);
            }
            var views = new LinkedHashMap<String, JsonNode>();
            var created = new LinkedHashSet<String>();
            var changed = new LinkedHashSet<String>();
            // one virtual thread per script: the round trips of the scripts overlap
            var saved = new LinkedHashMap<String, java.util.concurrent.Future<JsonNode>>();
            try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (var spec : project.scripts()) {
                    var before = existing.get(spec.name());
                    if (before == null) created.add(spec.name());
                    saved.put(spec.name(), threads.submit(() -> save(client, spec, before)));
                }
            }
            for (var spec : project.scripts()) {
                var view = outcome(saved.get(spec.name()));
                var before = existing.get(spec.name());
                if (before == null
                        || view.path("version").asInt()
                                != before.path("version").asInt()) {
                    changed.add(spec.name());
                }
                views.put(spec.name(), view);
            }
            warnAboutMissingSecrets(client, views);
            if (wait) awaitBuilds(client, views, timeout);
            var results = new ArrayList<Result>();
            for (var e : views.entrySet()) {
                var v = e.getValue();
                String error = null;
                if (v.path("buildState").asString().equals("FAILED")) error = buildFailure(client, v);
                results.add(new Result(
                        e.getKey(),
                        v.path("id").asString(),
                        v.path("version").asInt(),
                        v.path("activeVersion").isInt() ? v.get("activeVersion").asInt() : null,
                        created.contains(e.getKey()),
                        changed.contains(e.getKey()),
                        v.path("buildState").asString(null),
                        v.path("webhookUrl").asString(null),
                        error));
            }
            return results;
        }

        /** Creates or updates one script and sets its alert rules; returns its view. */
        private JsonNode save(ApiClient client, ProjectFile.ScriptSpec spec, JsonNode before) {
            var body = bodies.get(spec.name());
            try {
                JsonNode view;
                if (before == null) {
                    body.put("environment", env);
                    view = client.post("/api/scripts", body);
                } else {
                    view = client.put("/api/scripts/" + before.path("id").asString(), body);
                }
                client.put(
                        "/api/scripts/" + view.path("id").asString() + "/alerts",
                        spec.alerts() != null ? spec.alerts() : ApiClient.JSON.createObjectNode());
                return view;
            } catch (CliException e) {
                throw new CliException(e.exitCode(), "script " + spec.name() + ": " + e.getMessage(), e.details());
            }
        }

        private void awaitBuilds(ApiClient client, Map<String, JsonNode> views, Duration timeout) {
            Instant deadline = Instant.now().plus(timeout);
            var pending = new LinkedHashSet<String>();
            for (var e : views.entrySet()) if (!settled(e.getValue())) pending.add(e.getKey());
            if (!pending.isEmpty() && !session.json()) {
                session.err()
                        .println("Waiting for " + pending.size() + " build" + (pending.size() == 1 ? "" : "s") + " ("
                                + String.join(", ", pending) + ")...");
            }
            while (!pending.isEmpty()) {
                if (Instant.now().isAfter(deadline)) {
                    throw new CliException(
                            ExitCode.FAILED,
                            "builds still not done after " + timeout.toSeconds() + " s: " + String.join(", ", pending)
                                    + " (deploy --timeout waits longer)");
                }
                sleep(Duration.ofMillis(150));
                var polled = new LinkedHashMap<String, java.util.concurrent.Future<JsonNode>>();
                try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    for (var name : pending) {
                        String id = views.get(name).path("id").asString();
                        polled.put(name, threads.submit(() -> client.get("/api/scripts/" + id)));
                    }
                }
                for (var e : polled.entrySet()) {
                    var v = outcome(e.getValue());
                    views.put(e.getKey(), v);
                    if (settled(v)) pending.remove(e.getKey());
                }
            }
        }

        /** READY and active, or FAILED. */
        static boolean settled(JsonNode v) {
            String state = v.path("buildState").asString("");
            return state.equals("FAILED")
                    || (state.equals("READY")
                            && v.path("activeVersion").asInt(-1)
                                    == v.path("version").asInt());
        }

        private static String buildFailure(ApiClient client, JsonNode v) {
            String id = v.path("id").asString();
            int version = v.path("version").asInt();
            try {
                var build = client.get("/api/scripts/" + id + "/versions/" + version + "/build");
                var sb = new StringBuilder(build.path("error").asString("build failed"));
                var lines = build.path("log").asString("").lines().toList();
                var tail = lines.subList(Math.max(0, lines.size() - 20), lines.size());
                for (String line : tail) sb.append("\n    | ").append(line);
                return sb.toString();
            } catch (CliException e) {
                return "build failed (its log could not be read: " + e.getMessage() + ")";
            }
        }

        private void warnAboutMissingSecrets(ApiClient client, Map<String, JsonNode> views) {
            var needed = new LinkedHashMap<String, List<String>>();
            for (String s : project.secrets()) needed.computeIfAbsent(s, k -> new ArrayList<>());
            for (var spec : project.scripts()) {
                for (String s : spec.secrets())
                    needed.computeIfAbsent(s, k -> new ArrayList<>()).add(spec.name());
            }
            if (needed.isEmpty()) return;
            var set = new java.util.HashSet<String>();
            for (var s : client.get("/api/secrets?environment=" + ApiClient.encode(env)))
                set.add(s.path("name").asString());
            for (var e : needed.entrySet()) {
                if (set.contains(e.getKey())) continue;
                boolean everyScriptHasItsOwn = !e.getValue().isEmpty();
                for (String script : e.getValue()) {
                    var names = new java.util.HashSet<String>();
                    for (var s : client.get(
                            "/api/scripts/" + views.get(script).path("id").asString() + "/secrets")) {
                        names.add(s.path("name").asString());
                    }
                    if (!names.contains(e.getKey())) everyScriptHasItsOwn = false;
                }
                if (everyScriptHasItsOwn) continue;
                session.warn("secret " + e.getKey()
                        + (e.getValue().isEmpty() ? "" : " (declared by " + String.join(", ", e.getValue()) + ")")
                        + " is not set in " + env + ": cronhook secrets set "
                        + e.getKey() + " --env " + env);
            }
        }

        int report(List<Result> results) {
            boolean failed = results.stream().anyMatch(r -> r.error() != null);
            if (session.json()) {
                var out = ApiClient.JSON.createObjectNode();
                out.put("environment", env);
                out.set("scripts", ApiClient.JSON.valueToTree(results));
                session.printJson(out);
            } else {
                session.out()
                        .println("Deployed " + results.size() + " script" + (results.size() == 1 ? "" : "s") + " to "
                                + env + ":");
                int width =
                        results.stream().mapToInt(r -> r.name().length()).max().orElse(4);
                for (var r : results) {
                    String what = r.created() ? "created" : r.changed() ? "updated" : "unchanged";
                    String state = r.error() != null
                            ? "BUILD FAILED"
                            : r.activeVersion() != null && r.activeVersion() == r.version()
                                    ? "active"
                                    : String.valueOf(r.buildState()).toLowerCase(java.util.Locale.ROOT);
                    session.out()
                            .printf(
                                    "  %-" + width + "s  v%-3d %-9s  %-8s  %s%n",
                                    r.name(),
                                    r.version(),
                                    what,
                                    state,
                                    r.webhookUrl() == null ? "(no webhook)" : r.webhookUrl());
                }
            }
            for (var r : results) {
                if (r.error() != null)
                    session.err().println("error: build of " + r.name() + " v" + r.version() + " failed: " + r.error());
            }
            return failed ? ExitCode.FAILED : ExitCode.OK;
        }
    }

    /** What a task on a virtual thread returned, or the CLI exception it threw. */
    static <T> T outcome(java.util.concurrent.Future<T> future) {
        try {
            return future.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new CliException(ExitCode.SERVER, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.SERVER, "interrupted");
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.SERVER, "interrupted");
        }
    }

    /** {@code import DIR}: a deploy of the project in DIR (what export wrote), typically into another account. */
    static final class Import extends DeployCommand {
        @Override
        public String name() {
            return "import";
        }

        @Override
        public String summary() {
            return "deploy a project directory (as export writes it)";
        }

        @Override
        public String help() {
            return """
                    Usage: cronhook import DIR [--env E] [--no-wait] [--timeout SECONDS] [--json]

                    Deploys the project in DIR (as cronhook export wrote it) to the environment E of
                    the logged-in user: the same as cronhook deploy DIR. Secret values are never part
                    of a project: set them with cronhook secrets set (deploy warns which are missing).
                    """;
        }

        @Override
        public int run(Args args, Session session) {
            String d = args.positionals(name(), 1, 1).getFirst();
            return deploy(args, session, session.terminal().resolve(d));
        }
    }
}

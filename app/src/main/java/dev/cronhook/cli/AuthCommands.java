package dev.cronhook.cli;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;

/** {@code login} and {@code logout}: the token the CLI keeps in the user's config directory. */
final class AuthCommands {
    private AuthCommands() {}

    /** Signs in with a username and password (or takes a token) and keeps an API token of its own. */
    static final class Login implements Command {
        @Override
        public String name() {
            return "login";
        }

        @Override
        public String summary() {
            return "sign in and keep an API token (mode 0600 in ~/.config/cronhook)";
        }

        @Override
        public Set<String> valued() {
            return Set.of("url", "username", "token");
        }

        @Override
        public String help() {
            return """
                    Usage: cronhook login [--url URL] [--username NAME] [--token TOKEN]

                    Signs in to the platform at URL (default: CRONHOOK_URL, the stored one, or
                    http://127.0.0.1:8080) and creates an API token for this machine, which is kept
                    in $XDG_CONFIG_HOME/cronhook/config.json (or ~/.config/cronhook/config.json),
                    mode 0600. The password is read from the terminal without echo, or as one line
                    from stdin:  echo "$PASSWORD" | cronhook login --username admin
                    With --token, that token is checked and kept instead.
                    CRONHOOK_URL and CRONHOOK_TOKEN, when set, take precedence over the file (CI).
                    """;
        }

        @Override
        public int run(Args args, Session session) {
            args.positionals(name(), 0, 0);
            var env = session.terminal().env();
            var stored = Credentials.stored(env);
            String url = args.option("url", null);
            if (url == null) url = env.getOrDefault("CRONHOOK_URL", stored.url());
            if (url == null || url.isBlank()) url = Credentials.DEFAULT_URL;
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw CliException.usage("--url must start with http:// or https://");
            }
            String token = args.option("token", null);
            String tokenId = null;
            JsonUser user;
            if (token != null) {
                user = JsonUser.of(new ApiClient(url, token).get("/api/me"));
            } else {
                String username = args.option("username", null);
                if (username == null) {
                    session.err().print("Username: ");
                    session.err().flush();
                    username = session.readLine();
                    if (username == null || username.isBlank()) throw CliException.usage("no username given");
                }
                String password = password(session);
                var anonymous = new ApiClient(url, null);
                var login =
                        anonymous.post("/api/auth/login", Map.of("username", username.strip(), "password", password));
                String session_token = login.path("token").asString();
                user = JsonUser.of(login.path("user"));
                var issued = new ApiClient(url, session_token).post("/api/tokens", Map.of("name", tokenName()));
                token = issued.path("token").asString();
                tokenId = issued.path("id").asString(null);
            }
            new Credentials(url, token, tokenId).store(env);
            session.out()
                    .println("Logged in to " + url + " as " + user.username() + "; token kept in "
                            + Credentials.file(env));
            if (env.get("CRONHOOK_TOKEN") != null) {
                session.warn("CRONHOOK_TOKEN is set and takes precedence over the stored token");
            }
            return ExitCode.OK;
        }

        private static String password(Session session) {
            if (session.terminal().interactive()) {
                char[] p = System.console().readPassword("Password: ");
                if (p == null) throw CliException.usage("no password given");
                return new String(p);
            }
            String line = session.readLine();
            if (line == null) throw CliException.usage("no password given (on the terminal or as a line on stdin)");
            return line;
        }

        private static String tokenName() {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "unknown host";
            }
            String name = "cronhook CLI on " + host;
            return name.length() > 100 ? name.substring(0, 100) : name;
        }
    }

    /** Forgets the stored token, revoking it on the platform first when it can. */
    static final class Logout implements Command {
        @Override
        public String name() {
            return "logout";
        }

        @Override
        public String summary() {
            return "revoke and forget the stored token";
        }

        @Override
        public String help() {
            return """
                    Usage: cronhook logout

                    Revokes the API token cronhook login created (when the platform can be reached)
                    and removes the config file. CRONHOOK_TOKEN, if set, is not touched.
                    """;
        }

        @Override
        public int run(Args args, Session session) {
            args.positionals(name(), 0, 0);
            var env = session.terminal().env();
            var stored = Credentials.stored(env);
            if (stored.token() == null) {
                session.out().println("Not logged in.");
                return ExitCode.OK;
            }
            if (stored.tokenId() != null) {
                try {
                    new ApiClient(stored.url(), stored.token()).delete("/api/tokens/" + stored.tokenId());
                } catch (CliException e) {
                    session.warn("the token could not be revoked (" + e.getMessage() + "); it is forgotten here");
                }
            }
            Credentials.forget(env);
            session.out().println("Logged out of " + stored.url() + ".");
            return ExitCode.OK;
        }
    }

    /** The user an answer names. */
    record JsonUser(String username) {
        static JsonUser of(tools.jackson.databind.JsonNode node) {
            return new JsonUser(node.path("username").asString("?"));
        }
    }
}

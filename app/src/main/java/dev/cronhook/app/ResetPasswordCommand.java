package dev.cronhook.app;

import dev.cronhook.api.user.AuthProperties;
import dev.cronhook.api.user.SignInThrottle;
import dev.cronhook.api.user.TokenService;
import dev.cronhook.api.user.UserRepository;
import dev.cronhook.api.user.UserService;
import dev.cronhook.app.embedded.EmbeddedPostgres;
import dev.cronhook.app.embedded.HomeLock;
import dev.cronhook.core.validation.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.commons.logging.LogFactory;
import org.flywaydb.core.Flyway;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * {@code ./cronhook reset-password <user>}: sets a user's password from the host's command line, for a lost admin
 * password, without the web server. Talks to the database directly: {@code CRONHOOK_DB_URL} (with its credentials,
 * from the environment or {@code CRONHOOK_CREDENTIALS_FILE}), else the embedded PostgreSQL under {@code
 * CRONHOOK_HOME}, the running platform's if it is up, else started for the moment. The new password is read from
 * the terminal (twice, hidden) or one line of stdin; none given, one is generated and printed.
 */
final class ResetPasswordCommand {
    static final String NAME = "reset-password";

    private ResetPasswordCommand() {}

    /** Runs the command; the process's exit code. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        quietLogs();
        if (args.size() != 1 || args.getFirst().isBlank()) {
            err.println("usage: ./cronhook reset-password <username>   (new password from stdin, or generated)");
            return 2;
        }
        String username = args.getFirst();
        var env = new StandardEnvironment();
        Credentials.load(env, LogFactory.getLog(ResetPasswordCommand.class));
        Path home = Path.of(env.getProperty("CRONHOOK_HOME", System.getProperty("user.home") + "/.cronhook"));
        String password;
        try {
            password = readPassword(err);
        } catch (IOException e) {
            err.println("could not read the new password: " + e.getMessage());
            return 2;
        }
        boolean generated = password.isEmpty();
        if (generated) password = randomPassword();

        EmbeddedPostgres started = null;
        HomeLock lock = null;
        try {
            String url = env.getProperty("CRONHOOK_DB_URL", "");
            String user = env.getProperty("CRONHOOK_DB_USERNAME", "");
            String dbPassword = env.getProperty("CRONHOOK_DB_PASSWORD", "");
            if (url.isBlank()) {
                var running = runningEmbedded(home);
                if (running != null) {
                    url = running;
                } else {
                    // as a platform does: one starting meanwhile is refused instead of stopping this one's server,
                    // and this one is refused while a platform holds the home (its server then is not up yet)
                    lock = HomeLock.acquire(home);
                    started = EmbeddedPostgres.start(home);
                    url = started.jdbcUrl();
                }
                user = "cronhook";
                dbPassword = Files.readString(home.resolve("postgres/password")).trim();
            }
            var dataSource = new DriverManagerDataSource(url, user, dbPassword);
            // the schema this jar expects: what the platform's next start would do anyway
            Flyway.configure().dataSource(dataSource).load().migrate();
            var jdbc = JdbcClient.create(dataSource);
            var disabledThrottle =
                    new AuthProperties.Throttle(false, 0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO);
            var service = new UserService(
                    new UserRepository(jdbc),
                    new TokenService(jdbc),
                    new BCryptPasswordEncoder(10),
                    NO_THROTTLE,
                    new AuthProperties(Duration.ZERO, Duration.ZERO, disabledThrottle));
            if (!service.resetPassword(username, password)) {
                err.println("there is no user '" + username + "'");
                return 1;
            }
        } catch (InvalidInputException e) {
            err.println("the new password was not set: it "
                    + e.violations().getFirst().message());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("the password was not reset: " + e.getMessage());
            return 1;
        } finally {
            if (started != null) started.close();
            if (lock != null) lock.close();
        }
        if (generated) out.println("New password of '" + username + "': " + password);
        out.println("The password of '" + username + "' is reset; their sign-in sessions have ended (failed sign-ins"
                + " may still hold the account back for the current delay, at most CRONHOOK_AUTH_THROTTLE_MAX_DELAY).");
        return 0;
    }

    private static String readPassword(PrintStream err) throws IOException {
        var console = System.console();
        if (console != null && console.isTerminal()) {
            char[] first = console.readPassword("New password (empty: generate one): ");
            if (first == null || first.length == 0) return "";
            char[] again = console.readPassword("Again: ");
            if (!Arrays.equals(first, again)) throw new IOException("the two passwords differ");
            return new String(first);
        }
        var line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return line == null ? "" : line.strip();
    }

    /** The JDBC URL of the embedded PostgreSQL of a platform running on {@code home}, or null when none runs. */
    private static String runningEmbedded(Path home) throws IOException {
        Path pid = home.resolve("postgres/data/postmaster.pid");
        if (!Files.exists(pid)) return null;
        List<String> lines = Files.readAllLines(pid);
        if (lines.size() < 4) return null;
        boolean alive = ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
                .map(ProcessHandle::isAlive)
                .orElse(false);
        return alive ? "jdbc:postgresql://127.0.0.1:" + lines.get(3).trim() + "/cronhook" : null;
    }

    private static String randomPassword() {
        byte[] raw = new byte[15];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** Only warnings: Spring Boot's logging set-up does not run for a command. */
    private static void quietLogs() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private static final SignInThrottle NO_THROTTLE = new SignInThrottle() {
        @Override
        public Duration attempt(String key, int freeFailures) {
            return Duration.ZERO;
        }

        @Override
        public void succeeded(String key, boolean forgetEarlierFailures) {}
    };
}

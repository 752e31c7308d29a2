package dev.cronhook.app.testing;

import static org.awaitility.Awaitility.await;

import dev.cronhook.app.CronhookApplication;
import dev.cronhook.app.management.ManagementServer;
import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * A running Cronhook for integration tests: the real application on a random port, on a fresh database in the
 * local PostgreSQL and a fresh logical database of the local Redis. Addresses can be overridden with
 * CRONHOOK_TEST_PG (a jdbc URL of a server whose user may create databases) and CRONHOOK_TEST_REDIS.
 */
public final class TestPlatform implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";

    private final ConfigurableApplicationContext context;
    private final String databaseName;
    private final String redisUrl;
    private final boolean ownsData;
    private final boolean ownsRedis;
    public final Http http;

    private TestPlatform(
            ConfigurableApplicationContext context,
            String databaseName,
            String redisUrl,
            boolean ownsData,
            boolean ownsRedis) {
        this.context = context;
        this.databaseName = databaseName;
        this.redisUrl = redisUrl;
        this.ownsData = ownsData;
        this.ownsRedis = ownsRedis;
        this.http = new Http("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
    }

    /** Starts on a given database name (created when new) and Redis URL; null for fresh ones. */
    public static TestPlatform start(String roles, Map<String, ?> extra, String database, String redis) {
        String db = database != null
                ? database
                : "cronhook_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        if (database == null || !databaseExists(database)) createDatabase(db);
        return start(roles, extra, db, redis != null ? redis : freshRedis(), database == null, redis == null);
    }

    public static TestPlatform start(String roles, Map<String, ?> extra) {
        String db =
                "cronhook_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        createDatabase(db);
        return start(roles, extra, db, freshRedis(), true, true);
    }

    /**
     * Another replica on the database and Redis of {@code other} (which may be stopped already); closing it leaves
     * the data to {@code other}.
     */
    public static TestPlatform startSharing(TestPlatform other, String roles, Map<String, ?> extra) {
        return start(roles, extra, other.databaseName, other.redisUrl, false, false);
    }

    /** Another replica on the database of {@code other}, on the Redis URL given (its own Redis user, say). */
    public static TestPlatform startSharing(TestPlatform other, String roles, Map<String, ?> extra, String redisUrl) {
        return start(roles, extra, other.databaseName, redisUrl, false, false);
    }

    private static TestPlatform start(
            String roles, Map<String, ?> extra, String db, String redisUrl, boolean ownsData, boolean ownsRedis) {
        try {
            var args = new ArrayList<String>();
            args.add("--cronhook.roles=" + roles);
            // a test that restarts a replica on the same data directory gives its own
            if (!extra.containsKey("cronhook.home")) {
                args.add("--cronhook.home=" + Files.createTempDirectory("cronhook-it-"));
            }
            // a test with a database server of its own (one it stops) names it
            if (!extra.containsKey("cronhook.db.url")) {
                args.add("--cronhook.db.url=" + pgBase() + db);
                args.add("--cronhook.db.username=" + pgUser());
            }
            args.add("--cronhook.redis.url=" + redisUrl);
            args.add("--cronhook.admin-password=" + ADMIN_PASSWORD);
            args.add("--server.port=0");
            // internal endpoints and metrics: on a port of their own, any free one
            if (!extra.containsKey("cronhook.management.port")) args.add("--cronhook.management.port=0");
            extra.forEach((k, v) -> args.add("--" + k + "=" + v));
            var context = new SpringApplicationBuilder(CronhookApplication.class)
                    // several platforms share this JVM: one closing must not dispose Netty's global event loops
                    .initializers(
                            ctx -> ((GenericApplicationContext) ctx).registerBean(ReactorResourceFactory.class, () -> {
                                var own = new ReactorResourceFactory();
                                own.setUseGlobalResources(false);
                                return own;
                            }))
                    .run(args.toArray(String[]::new));
            return new TestPlatform(context, db, redisUrl, ownsData, ownsRedis);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reports a build result on the builders' result stream, exactly as a builder does, so a script gets a READY
     * (or FAILED) version without building it. A READY version's image is {@code registry.test/cronhook/<id>:v<n>}.
     */
    public void reportBuild(UUID scriptId, int version, BuildState state) {
        var client = RedisClient.create(redisUrl);
        try (var c = client.connect()) {
            new RedisWorkQueue<>(
                            client,
                            c,
                            Streams.BUILD_RESULTS,
                            "api",
                            BuildResult.class,
                            Wire.json(),
                            QueueOptions.defaults())
                    .enqueue(new BuildResult(
                            scriptId,
                            version,
                            state,
                            "{\"lockfileVersion\":3}",
                            state == BuildState.READY ? "registry.test/cronhook/" + scriptId + ":v" + version : null,
                            state == BuildState.READY ? "sha256:" + "a".repeat(64) : null,
                            state == BuildState.FAILED ? "npm error 404 no such package" : null,
                            "npm ci\nadded 1 package in 1s\nimage built",
                            Instant.now()));
        } finally {
            client.shutdown();
        }
    }

    /**
     * Reports version {@code version} of the script READY, as {@link #reportBuild} does, and waits until the api,
     * asked as {@code token}'s user, shows it as the script's active version.
     */
    public void deploy(UUID scriptId, int version, String token) {
        reportBuild(scriptId, version, BuildState.READY);
        awaitActive(scriptId, version, token, Duration.ofSeconds(10));
    }

    /**
     * Waits, for at most {@code within}, until the api, asked as {@code token}'s user, shows {@code version} as the
     * script's active version (after a real build, or one reported with {@link #reportBuild}).
     */
    public void awaitActive(UUID scriptId, int version, String token, Duration within) {
        await().atMost(within)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> http.get("/api/scripts/" + scriptId, token)
                                .json()
                                .path("activeVersion")
                                .asInt(0)
                        == version);
    }

    /** The platform's data directory ({@code cronhook.home}). */
    public java.nio.file.Path home() {
        return java.nio.file.Path.of(context.getEnvironment().getRequiredProperty("cronhook.home"));
    }

    public String redisUrl() {
        return redisUrl;
    }

    public String baseUrl() {
        return http.base();
    }

    /** The management port's base URL: internal endpoints and metrics. */
    public String managementUrl() {
        return "http://127.0.0.1:" + context.getBean(ManagementServer.class).port();
    }

    /** The workers' credential this platform checks on its internal endpoints. */
    public String internalToken() {
        return context.getEnvironment().getProperty("cronhook.internal-token");
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public String jdbcUrl() {
        return pgBase() + databaseName;
    }

    /** Stops the application and keeps its data (for a replica started with {@link #startSharing}). */
    public void stop() {
        context.close();
    }

    @Override
    public void close() {
        context.close();
        if (ownsRedis) releaseRedis(redisUrl);
        if (!ownsData) return;
        try (var c = DriverManager.getConnection(pgBase() + "postgres", pgUser(), "");
                var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + databaseName + " WITH (FORCE)");
        } catch (SQLException ignored) {
            // left for the next run's clean-up
        }
    }

    /** Empties the Redis database this platform claimed, claim included, so the next test can have it. */
    private static void releaseRedis(String url) {
        var client = RedisClient.create(url);
        try (var c = client.connect()) {
            c.sync().flushdb();
        } catch (RuntimeException ignored) {
            // the claim expires by itself
        } finally {
            client.shutdown();
        }
    }

    static String pgBase() {
        String url = System.getenv().getOrDefault("CRONHOOK_TEST_PG", "jdbc:postgresql://127.0.0.1:5432/");
        return url.endsWith("/") ? url : url + "/";
    }

    static String pgUser() {
        return System.getenv().getOrDefault("CRONHOOK_TEST_PG_USER", "postgres");
    }

    public String databaseName() {
        return databaseName;
    }

    /** Stops the application but keeps its database (to start it again on the same data). */
    public void stopKeepingData() {
        context.close();
    }

    private static boolean databaseExists(String name) {
        try (var c = DriverManager.getConnection(pgBase() + "postgres", pgUser(), "");
                var s = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            s.setString(1, name);
            return s.executeQuery().next();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void createDatabase(String name) {
        try (var c = DriverManager.getConnection(pgBase() + "postgres", pgUser(), "");
                var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot create the test database on " + pgBase() + ": " + e.getMessage(), e);
        }
    }

    /** A Redis logical database no other running test uses, emptied first. */
    private static String freshRedis() {
        String base = System.getenv().getOrDefault("CRONHOOK_TEST_REDIS", "redis://127.0.0.1:6379");
        var client = RedisClient.create(base);
        try (var c = client.connect()) {
            // 11 to 15 are left to the module ITs, which use 11
            for (int db = 1; db <= 10; db++) {
                c.sync().select(db);
                // claim the database for this run: SET NX with a TTL, so a crashed run frees it
                if ("OK"
                        .equals(c.sync()
                                .set(
                                        "cronhook:test-claim",
                                        "1",
                                        io.lettuce.core.SetArgs.Builder.nx().ex(600)))) {
                    c.sync().flushdb();
                    c.sync().set("cronhook:test-claim", "1", io.lettuce.core.SetArgs.Builder.ex(600));
                    return base + "/" + db;
                }
            }
        } finally {
            client.shutdown();
        }
        throw new IllegalStateException("no free Redis database for the test");
    }
}

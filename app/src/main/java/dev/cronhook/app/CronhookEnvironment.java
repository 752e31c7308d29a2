package dev.cronhook.app;

import dev.cronhook.app.embedded.EmbeddedPostgres;
import dev.cronhook.app.embedded.EmbeddedRedis;
import dev.cronhook.app.embedded.HomeLock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns {@code cronhook.roles} into {@code cronhook.role.<name>.enabled} switches, and with no
 * {@code CRONHOOK_DB_URL} / {@code CRONHOOK_REDIS_URL} starts an embedded PostgreSQL / Redis under
 * {@code CRONHOOK_HOME}, stopped after the application context closes.
 */
public class CronhookEnvironment implements EnvironmentPostProcessor, Ordered {
    private final Log log;

    public CronhookEnvironment(DeferredLogFactory logs) {
        // logging is not set up yet while the environment is prepared: these lines are replayed once it is
        this.log = logs.getLog(CronhookEnvironment.class);
    }

    private static final List<String> DATABASE_AUTO_CONFIGURATIONS = List.of(
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.jobrunr.spring.autoconfigure.JobRunrAutoConfiguration",
            "org.jobrunr.spring.autoconfigure.storage.JobRunrSqlStorageAutoConfiguration",
            "org.jobrunr.spring.autoconfigure.metrics.JobRunrMetricsAutoConfiguration");

    @Override
    public int getOrder() {
        return ConfigDataEnvironmentPostProcessor.ORDER + 10;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        Credentials.load(env, log);
        var roles = Roles.parse(env.getProperty("cronhook.roles", "all"));
        Credentials.warnIfInEnvironment(roles, log);
        Map<String, Object> derived = new HashMap<>();
        for (var role : Roles.Role.values()) {
            derived.put("cronhook.role." + role.propertyName() + ".enabled", roles.has(role));
        }
        derived.put("cronhook.roles.effective", roles.roles().toString());
        Path home = Path.of(env.getProperty("cronhook.home", System.getProperty("user.home") + "/.cronhook"));
        derived.put("cronhook.home", home.toAbsolutePath().toString());

        var started = new ArrayList<AutoCloseable>();
        boolean embeddedDatabase = roles.needsDatabase() && blank(env.getProperty("cronhook.db.url"));
        boolean embeddedRedis = blank(env.getProperty("cronhook.redis.url"));
        try {
            // before anything is started: a second process on this home would stop the first one's servers
            if (embeddedDatabase || embeddedRedis) started.add(HomeLock.acquire(home));
            if (embeddedDatabase) {
                var pg = EmbeddedPostgres.start(home);
                started.add(pg);
                derived.put("cronhook.db.url", pg.jdbcUrl());
                derived.put("cronhook.db.username", pg.username());
                derived.put("cronhook.db.password", pg.password());
                derived.put("cronhook.db.embedded", true);
                log.info(
                        "Embedded PostgreSQL is up at " + pg.jdbcUrl() + " (data in " + home.resolve("postgres") + ")");
            }
            if (embeddedRedis) {
                var redis = EmbeddedRedis.start(home);
                started.add(redis);
                derived.put("cronhook.redis.url", redis.url());
                derived.put("cronhook.redis.embedded", true);
                log.info("Embedded Redis is up at " + redis.address() + " (data in " + home.resolve("redis") + ")");
            }
        } catch (Exception e) {
            // what started before the failure is stopped: nothing is left running for a start that failed
            closeAll(started);
            if (e instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (blank(env.getProperty("cronhook.internal-token"))) {
            // the all-in-one process, or replicas sharing CRONHOOK_HOME; elsewhere every worker and the api are given
            // the same CRONHOOK_INTERNAL_TOKEN
            derived.put("cronhook.internal-token", Credentials.internalToken(home));
        }
        if (!roles.needsDatabase()) {
            var excluded = new ArrayList<>(Binder.get(env)
                    .bind("spring.autoconfigure.exclude", Bindable.listOf(String.class))
                    .orElse(List.of()));
            excluded.addAll(DATABASE_AUTO_CONFIGURATIONS);
            derived.put("spring.autoconfigure.exclude", String.join(",", excluded));
            // without a database there is no 'db' health contributor for readiness to include
            derived.put("management.endpoint.health.group.readiness.include", "readinessState,redis");
        }
        env.getPropertySources().addFirst(new MapPropertySource("cronhook-derived", derived));

        if (!started.isEmpty()) {
            Runnable stopAll = () -> closeAll(started);
            // destroyed last: registered before every other bean, so closed after them (after the pools)
            application.addInitializers(ctx -> ((DefaultListableBeanFactory) ctx.getBeanFactory())
                    .registerDisposableBean("cronhookEmbeddedServices", stopAll::run));
            // and if the context never gets built, do not leave the servers running; once it is, its own close
            // stops them last, and a hook of ours would stop them under the consumers still closing
            var hook = new Thread(stopAll, "embedded-services-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            application.addListeners(event -> {
                if (event instanceof ContextRefreshedEvent) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook runs anyway
                    }
                }
            });
        }
    }

    /** Closes what was started, last first (the home's lock, taken first, goes last). */
    private static void closeAll(List<AutoCloseable> started) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception ignored) {
                // stopping anyway
            }
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

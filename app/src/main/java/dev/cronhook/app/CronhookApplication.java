package dev.cronhook.app;

import dev.cronhook.app.management.ManagementServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;

/** Cronhook: one process that is the whole platform, or the roles {@code cronhook.roles} names. */
@SpringBootApplication
public class CronhookApplication {
    private static final Logger log = LoggerFactory.getLogger(CronhookApplication.class);

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals(ResetPasswordCommand.NAME)) {
            System.exit(
                    ResetPasswordCommand.run(java.util.List.of(args).subList(1, args.length), System.out, System.err));
        }
        SpringApplication.run(CronhookApplication.class, args);
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        Environment env = event.getApplicationContext().getEnvironment();
        String port = env.getProperty("local.server.port", env.getProperty("server.port", "8080"));
        String host = env.getProperty("server.address", "127.0.0.1");
        String base = "http://" + host + ":" + port;
        var management = event.getApplicationContext().getBean(ManagementServer.class);
        log.info(
                "\n\n    Cronhook is up (roles {}).\n    UI:      {}/\n    API:     {}/api  (OpenAPI: {}/v3/api-docs,"
                        + " Swagger UI: {}/swagger-ui.html)\n"
                        + "    Health:  {}/actuator/health/readiness\n"
                        + "    Metrics: {}  (management port: internal endpoints, metrics)\n"
                        + "    Data:    {}{}{}\n",
                env.getProperty("cronhook.roles.effective"),
                base,
                base,
                base,
                base,
                base,
                management.port() > 0
                        ? "http://" + management.address() + ":" + management.port() + "/actuator/prometheus"
                        : "none",
                env.getProperty("cronhook.home"),
                env.getProperty("cronhook.db.embedded", Boolean.class, false) ? " (embedded PostgreSQL)" : "",
                env.getProperty("cronhook.redis.embedded", Boolean.class, false) ? " (embedded Redis)" : "");
    }
}

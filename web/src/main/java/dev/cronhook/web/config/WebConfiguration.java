package dev.cronhook.web.config;

import dev.cronhook.api.config.ApiConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.ComponentScan;

/**
 * The web role: server-rendered pages for scripts, versions, runs and secrets, signed in with a session cookie,
 * calling the api's services in-process as the signed-in user.
 */
@AutoConfiguration(after = ApiConfiguration.class)
@ConditionalOnBooleanProperty("cronhook.role.web.enabled")
@ComponentScan(
        basePackages = {
            "dev.cronhook.web.signin",
            "dev.cronhook.web.page",
            "dev.cronhook.web.script",
            "dev.cronhook.web.version",
            "dev.cronhook.web.run",
            "dev.cronhook.web.settings",
            "dev.cronhook.web.tryout",
            "dev.cronhook.web.alert"
        })
public class WebConfiguration {}

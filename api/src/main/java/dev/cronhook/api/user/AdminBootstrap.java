package dev.cronhook.api.user;

import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * On the first start (no users yet) creates the user {@code admin} with {@code CRONHOOK_ADMIN_PASSWORD}, or a
 * random password that it prints once.
 */
@Component
@Order(0)
public class AdminBootstrap implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
    private final UserRepository users;
    private final UserService service;
    private final String configuredPassword;

    public AdminBootstrap(
            UserRepository users,
            UserService service,
            @Value("${cronhook.admin-password:}") String configuredPassword) {
        this.users = users;
        this.service = service;
        this.configuredPassword = configuredPassword;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (users.count() > 0) return;
        boolean generated = configuredPassword.isBlank();
        String password = generated ? randomPassword() : configuredPassword;
        try {
            service.create("admin", password, true);
        } catch (RuntimeException e) {
            if (users.count() > 0) return; // another replica bootstrapped at the same moment
            throw e;
        }
        if (generated) {
            log.warn(
                    "\n\n    First start: created user 'admin' with password  {}\n"
                            + "    (shown once; set CRONHOOK_ADMIN_PASSWORD to choose it)\n",
                    password);
        } else {
            log.info("First start: created user 'admin' with the password from CRONHOOK_ADMIN_PASSWORD");
        }
    }

    private static String randomPassword() {
        byte[] raw = new byte[15];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}

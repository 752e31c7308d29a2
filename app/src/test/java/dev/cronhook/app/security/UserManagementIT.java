package dev.cronhook.app.security;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin manages users' access: resets a forgotten password, disables a user (no sign-in, sessions and API
 * tokens refused, their webhooks go on) and enables them again; every user changes their own password on the
 * settings page.
 */
class UserManagementIT {
    static TestPlatform platform;
    static Http http;
    static String admin;
    static UUID adminId;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api,web", Map.of());
        http = platform.http;
        admin = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        adminId = UUID.fromString(http.get("/api/me", admin).json().get("id").asString());
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    private static UUID createUser(String name, String password) {
        var created = http.post("/api/users", json(Map.of("username", name, "password", password)), admin);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return UUID.fromString(created.json().get("id").asString());
    }

    @Test
    void theAdminResetsAForgottenPasswordAndTheUsersSessionsEnd() {
        UUID gina = createUser("gina", "gina-first-password");
        String session = http.login("gina", "gina-first-password");

        var reset = http.put(
                "/api/users/" + gina + "/password", json(Map.of("newPassword", "gina-second-password")), admin);

        // on main: 404 (no such endpoint)
        assertThat(reset.status()).as(reset.toString()).isEqualTo(204);
        assertThat(http.get("/api/me", session).status()).isEqualTo(401);
        assertThat(http.post(
                                "/api/auth/login",
                                json(Map.of("username", "gina", "password", "gina-first-password")),
                                null)
                        .status())
                .isEqualTo(401);
        assertThat(http.login("gina", "gina-second-password")).isNotBlank();
    }

    @Test
    void onlyAnAdminResetsPasswordsOrDisablesUsersAndAShortPasswordIsNamed() {
        UUID hank = createUser("hank", "hank-password");
        String hankToken = http.login("hank", "hank-password");

        var byUser =
                http.put("/api/users/" + adminId + "/password", json(Map.of("newPassword", "taken-over!")), hankToken);
        assertThat(byUser.status()).isEqualTo(403);
        assertThat(http.post("/api/users/" + adminId + "/disable", "", hankToken)
                        .status())
                .isEqualTo(403);
        var tooShort = http.put("/api/users/" + hank + "/password", json(Map.of("newPassword", "short")), admin);
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.json().path("errors").get(0).path("field").asString())
                .isEqualTo("newPassword");
        assertThat(http.post("/api/users/" + UUID.randomUUID() + "/disable", "", admin)
                        .status())
                .isEqualTo(404);
        assertThat(http.post("/api/users/" + adminId + "/disable", "", admin).status())
                .isEqualTo(400);
    }

    @Test
    void aDisabledUserCannotSignInAndTheirTokensStopUntilTheyAreEnabledAgain() {
        UUID ivan = createUser("ivan", "ivan-password");
        String session = http.login("ivan", "ivan-password");
        String apiToken = http.post("/api/tokens", json(Map.of("name", "ci")), session)
                .json()
                .get("token")
                .asString();
        var script = http.post(
                "/api/scripts", json(Map.of("name", "ivans-hook", "code", "export default async () => 1")), session);
        assertThat(script.status()).isEqualTo(201);
        UUID scriptId = UUID.fromString(script.json().get("id").asString());
        String hook = script.json().get("webhookUrl").asString().replace(platform.baseUrl(), "");
        platform.deploy(scriptId, 1, session);

        var disabled = http.post("/api/users/" + ivan + "/disable", "", admin);

        // on main: 404 (no such endpoint), and ivan's tokens keep working
        assertThat(disabled.status()).as(disabled.toString()).isEqualTo(204);
        assertThat(http.get("/api/me", session).status()).isEqualTo(401);
        assertThat(http.get("/api/me", apiToken).status()).isEqualTo(401);
        var signIn = http.post("/api/auth/login", json(Map.of("username", "ivan", "password", "ivan-password")), null);
        assertThat(signIn.status()).isEqualTo(401);
        assertThat(signIn.json().path("detail").asString()).isEqualTo("wrong username or password");
        var browser = new Client(platform.baseUrl(), "127.0.0.31");
        assertThat(browser.signIn("ivan", "ivan-password").header("Location"))
                .isEqualTo("/login?error=wrong&username=ivan");
        assertThat(http.get("/api/users", admin).json().findValues("username").toString())
                .contains("ivan");
        // disabling is about signing in: the scripts' webhooks are still taken (README, Security)
        assertThat(http.send("POST", hook + "?async=true", "application/json", "{}", null)
                        .status())
                .isEqualTo(202);

        assertThat(http.post("/api/users/" + ivan + "/enable", "", admin).status())
                .isEqualTo(204);
        assertThat(http.get("/api/me", apiToken).status()).isEqualTo(200);
        assertThat(http.login("ivan", "ivan-password")).isNotBlank();
    }

    @Test
    void aUserChangesTheirPasswordOnTheSettingsPage() {
        createUser("judy", "judy-first-password");
        var browser = new Client(platform.baseUrl(), "127.0.0.32");
        assertThat(browser.signIn("judy", "judy-first-password").status()).isEqualTo(302);
        String otherSession = http.login("judy", "judy-first-password");

        var wrong = browser.submit(
                "/settings",
                "/settings/password",
                Map.of(
                        "currentPassword", "not-my-password",
                        "newPassword", "judy-second-password",
                        "repeatPassword", "judy-second-password"));
        // on main: there is no such form, so no 400 naming the wrong current password
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.text()).contains("is not your current password");

        var changed = browser.submit(
                "/settings",
                "/settings/password",
                Map.of(
                        "currentPassword", "judy-first-password",
                        "newPassword", "judy-second-password",
                        "repeatPassword", "judy-second-password"));

        assertThat(changed.status()).isEqualTo(303);
        assertThat(changed.header("Location")).isEqualTo("/settings?notice=password-changed");
        assertThat(browser.page("/settings?notice=password-changed").text()).contains("Password changed");
        assertThat(http.get("/api/me", otherSession).status()).isEqualTo(401);
        assertThat(http.login("judy", "judy-second-password")).isNotBlank();
    }
}

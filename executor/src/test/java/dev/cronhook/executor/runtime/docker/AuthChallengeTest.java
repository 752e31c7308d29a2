package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
    @Test
    void aRegistrysBearerChallengeGivesRealmServiceAndScope() {
        var challenges = AuthChallenge.parse("Bearer realm=\"https://api.digitalocean.com/v2/registry/auth\","
                + "service=\"registry.digitalocean.com\",scope=\"repository:cronhook/scripts/x:pull\"");

        assertThat(challenges).hasSize(1);
        var bearer = challenges.getFirst();
        assertThat(bearer.is("bearer")).isTrue();
        assertThat(bearer.params())
                .isEqualTo(Map.of(
                        "realm", "https://api.digitalocean.com/v2/registry/auth",
                        "service", "registry.digitalocean.com",
                        "scope", "repository:cronhook/scripts/x:pull"));
    }

    @Test
    void quotedValuesKeepTheirCommasAndEscapedQuotes() {
        var bearer = AuthChallenge.parse(
                        "Bearer realm=\"https://auth.example/token\", scope=\"repository:a:pull,push\", error=\"say \\\"no\\\"\"")
                .getFirst();

        assertThat(bearer.param("scope")).isEqualTo("repository:a:pull,push");
        assertThat(bearer.param("error")).isEqualTo("say \"no\"");
    }

    @Test
    void severalChallengesInOneHeaderAreTakenApart() {
        var challenges = AuthChallenge.parse("Basic realm=\"registry\", Bearer realm=\"https://t.example/\",service=r");

        assertThat(challenges).extracting(AuthChallenge::scheme).containsExactly("Basic", "Bearer");
        assertThat(challenges.get(0).param("realm")).isEqualTo("registry");
        assertThat(challenges.get(1).param("service")).isEqualTo("r");
    }

    @Test
    void unquotedValuesAndNamesInAnyCaseAreRead() {
        var basic = AuthChallenge.parse("basic Realm=Registry").getFirst();

        assertThat(basic.is("Basic")).isTrue();
        assertThat(basic.param("realm")).isEqualTo("Registry");
    }

    @Test
    void aSchemeWithATokenOfItsOwnIsOneChallenge() {
        var challenges = AuthChallenge.parse("Negotiate YIIB2wYGKwYBBQUCoIIBzzCCAcugDTALBgkqhkiG9xIBAgI=");

        assertThat(challenges).singleElement().satisfies(c -> {
            assertThat(c.scheme()).isEqualTo("Negotiate");
            assertThat(c.param("")).isEqualTo("YIIB2wYGKwYBBQUCoIIBzzCCAcugDTALBgkqhkiG9xIBAgI=");
        });
    }

    @Test
    void nothingOrGarbageGivesNoChallenge() {
        assertThat(AuthChallenge.parse(null)).isEmpty();
        assertThat(AuthChallenge.parse("")).isEmpty();
        assertThat(AuthChallenge.parse("=\"x\"")).isEmpty();
    }
}

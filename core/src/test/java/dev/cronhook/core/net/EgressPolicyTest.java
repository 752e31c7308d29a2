package dev.cronhook.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
    @Test
    void anEmptyOrAbsentListAllowsNothing() {
        assertThat(EgressPolicy.of(null).allowsNothing()).isTrue();
        assertThat(EgressPolicy.of(List.of()).allows("api.github.com", 443)).isFalse();
        assertThat(EgressPolicy.none().allows("example.com", 80)).isFalse();
    }

    @Test
    void aHostWithoutAPortIsAllowedOn80And443Only() {
        var policy = EgressPolicy.of(List.of("API.GitHub.com"));

        assertThat(policy.allow()).containsExactly("api.github.com");
        assertThat(policy.allows("api.github.com", 443)).isTrue();
        assertThat(policy.allows("API.GITHUB.COM.", 80)).isTrue();
        assertThat(policy.allows("api.github.com", 22)).isFalse();
        assertThat(policy.allows("github.com", 443)).isFalse();
        assertThat(policy.allows("evil-api.github.com", 443)).isFalse();
    }

    @Test
    void aWildcardCoversNamesUnderItsDomainButNotTheDomainItself() {
        var policy = EgressPolicy.of(List.of("*.slack.com"));

        assertThat(policy.allows("hooks.slack.com", 443)).isTrue();
        assertThat(policy.allows("a.b.slack.com", 443)).isTrue();
        assertThat(policy.allows("slack.com", 443)).isFalse();
        assertThat(policy.allows("evilslack.com", 443)).isFalse();
        assertThat(policy.allows("slack.com.evil.example", 443)).isFalse();
    }

    @Test
    void portsAreExactOrAny() {
        var policy = EgressPolicy.of(List.of("hooks.example.com:8443", "feeds.example.com:*", "*"));

        assertThat(policy.allows("hooks.example.com", 8443)).isTrue();
        assertThat(policy.allows("hooks.example.com", 8444)).isFalse();
        assertThat(policy.allows("feeds.example.com", 7000)).isTrue();
        assertThat(policy.allows("anything.example.org", 443)).isTrue();
        assertThat(policy.allows("anything.example.org", 25)).isFalse();
    }

    @Test
    void addressLiteralsAndInternationalNamesAreEntriesToo() {
        var policy = EgressPolicy.of(List.of("93.184.216.34", "[2606:2800:220:1::1]:8443", "bücher.example"));

        assertThat(policy.allow())
                .containsExactly("93.184.216.34", "[2606:2800:220:1::1]:8443", "xn--bcher-kva.example");
        assertThat(policy.allows("93.184.216.34", 443)).isTrue();
        assertThat(policy.allows("[2606:2800:220:1::1]", 8443)).isTrue();
        assertThat(policy.allows("2606:2800:220:1::1", 8443)).isTrue();
        assertThat(policy.allows("xn--bcher-kva.example", 443)).isTrue();
        assertThat(policy.allows("bücher.example", 443)).isTrue();
    }

    @Test
    void whatIsNotAHostPatternIsRefusedWithItsPositionAndAReason() {
        assertRefused(List.of("api.github.com", "https://hooks.slack.com/x"), 1, "is a URL");
        assertRefused(List.of(""), 0, "empty");
        assertRefused(List.of("a.*.com"), 0, "a * may only");
        assertRefused(List.of("*.com"), 0, "top-level domain");
        assertRefused(List.of("example.com:0"), 0, "port");
        assertRefused(List.of("example.com:http"), 0, "port");
        assertRefused(List.of("exa mple.com"), 0, "not a host name");
        assertRefused(List.of("under_score.com"), 0, "not a host name");
        assertRefused(List.of("[not-v6]"), 0, "IPv6");
        assertRefused(List.of("300.1.1.1"), 0, "IPv4");
        assertRefused(Arrays.asList("ok.example", null), 1, "empty");
        var many = new ArrayList<String>();
        for (int i = 0; i <= EgressPolicy.MAX_ENTRIES; i++) many.add("h" + i + ".example");
        assertThatThrownBy(() -> EgressPolicy.of(many)).hasMessageContaining("at most");
    }

    @Test
    void travelsWithARunRequestAndAnOlderRequestWithoutOneAllowsNothing() {
        var request = new RunRequest(
                UUID.randomUUID(),
                UUID.randomUUID(),
                3,
                "img",
                TriggerKind.WEBHOOK,
                "{}",
                30,
                128,
                1,
                Instant.now(),
                null,
                0,
                EgressPolicy.of(List.of("*.slack.com")));

        String json = Wire.json().writeValueAsString(request);
        assertThat(Wire.json().readValue(json, RunRequest.class).egress().allow())
                .containsExactly("*.slack.com");

        String older = json.replaceAll(",\"egress\":\\{[^}]*\\}", "");
        assertThat(older).doesNotContain("egress");
        assertThat(Wire.json().readValue(older, RunRequest.class).egress().allowsNothing())
                .isTrue();
    }

    private static void assertRefused(List<String> entries, int index, String reason) {
        assertThatThrownBy(() -> EgressPolicy.of(entries))
                .isInstanceOf(EgressPolicy.InvalidEntryException.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((EgressPolicy.InvalidEntryException) e).index())
                        .isEqualTo(index));
    }
}

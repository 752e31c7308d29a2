package dev.cronhook.api.script;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.validation.Violation;
import dev.cronhook.core.validation.Violations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class EgressRequestTest {

    @Test
    void anAbsentOrEmptyListAllowsNothing() {
        var v = new Violations();
        assertThat(EgressRequest.check(null, v)).isEqualTo(EgressPolicy.none());
        assertThat(EgressRequest.check(new EgressRequest(null), v)).isEqualTo(EgressPolicy.none());
        assertThat(EgressRequest.check(new EgressRequest(java.util.List.of()), v))
                .isEqualTo(EgressPolicy.none());
        assertThat(v.isEmpty()).isTrue();
    }

    @Test
    void entriesAreNormalizedAndDeduplicated() {
        var v = new Violations();
        var policy = EgressRequest.check(
                new EgressRequest(Arrays.asList(" API.GitHub.com ", "*.slack.com", "api.github.com", "x.org:8443")), v);
        assertThat(v.isEmpty()).isTrue();
        assertThat(policy.allow()).containsExactly("api.github.com", "*.slack.com", "x.org:8443");
    }

    @Test
    void everyBadEntryIsNamedByItsPositionWithItsReason() {
        var v = new Violations();
        var policy = EgressRequest.check(
                new EgressRequest(Arrays.asList("ok.example", "https://evil.example/", "ok2.example", "a:0", null)), v);
        assertThat(policy).isNull();
        assertThat(v.list())
                .extracting(Violation::field)
                .containsExactly("egress.allow[1]", "egress.allow[3]", "egress.allow[4]");
        assertThat(v.list().getFirst().message()).contains("is a URL");
        assertThat(v.list().get(1).message()).contains("port");
        assertThat(v.list().get(2).message()).contains("empty");
    }

    @Test
    void aListLongerThanTheMaximumIsRefusedAsAWhole() {
        var entries = new ArrayList<String>(Collections.nCopies(EgressPolicy.MAX_ENTRIES + 1, "a.example"));
        var v = new Violations();
        assertThat(EgressRequest.check(new EgressRequest(entries), v)).isNull();
        assertThat(v.list()).extracting(Violation::field).containsExactly("egress.allow");
    }
}

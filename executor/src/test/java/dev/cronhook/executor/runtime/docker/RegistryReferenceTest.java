package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegistryReferenceTest {
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void theBuildersReferenceNamesHostRepositoryAndDigest() {
        var reference = RegistryReference.parse("127.0.0.1:5000/cronhook/scripts/0b1c@" + DIGEST)
                .orElseThrow();

        assertThat(reference.host()).isEqualTo("127.0.0.1:5000");
        assertThat(reference.hostName()).isEqualTo("127.0.0.1");
        assertThat(reference.repository()).isEqualTo("cronhook/scripts/0b1c");
        assertThat(reference.digest()).isEqualTo(DIGEST);
        assertThat(reference).hasToString("127.0.0.1:5000/cronhook/scripts/0b1c@" + DIGEST);
    }

    @Test
    void aTagBesideTheDigestIsDropped() {
        assertThat(RegistryReference.parse("registry.digitalocean.com/acme/scripts:v3@" + DIGEST))
                .hasValueSatisfying(r -> assertThat(r.repository()).isEqualTo("acme/scripts"));
    }

    @Test
    void engineLocalTaggedAndHubReferencesAreNotRegistryReferencesByDigest() {
        assertThat(RegistryReference.parse("cronhook-test/scenarios:abc")).isEmpty();
        assertThat(RegistryReference.parse("127.0.0.1:5000/cronhook/scripts/x:v1"))
                .isEmpty();
        assertThat(RegistryReference.parse("library/node@" + DIGEST)).isEmpty();
        assertThat(RegistryReference.parse("node@" + DIGEST)).isEmpty();
        assertThat(RegistryReference.parse("bundle:/tmp/x")).isEmpty();
        assertThat(RegistryReference.parse("127.0.0.1:5000/x@sha256:short")).isEmpty();
        assertThat(RegistryReference.parse("127.0.0.1:5000/../x@" + DIGEST)).isEmpty();
    }

    @Test
    void localhostWithoutAPortIsAHost() {
        assertThat(RegistryReference.parse("localhost/x@" + DIGEST)).isPresent();
    }
}

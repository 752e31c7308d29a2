package dev.cronhook.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrivateAddressGuardTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.8.9.10",
                "0.0.0.0",
                "0.1.2.3",
                "10.0.0.5",
                "100.64.0.1",
                "100.127.255.254",
                "169.254.169.254",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "192.0.0.8",
                "198.18.0.1",
                "224.0.0.1",
                "239.1.2.3",
                "255.255.255.255",
                "::1",
                "::",
                "fc00::1",
                "fd12:3456::1",
                "fe80::1",
                "ff02::1",
                "::ffff:127.0.0.1",
                "::ffff:10.0.0.1",
                "::ffff:169.254.169.254",
                "::127.0.0.1",
                "64:ff9b::a00:1"
            })
    void privateLoopbackLinkLocalAndEmbeddedFormsArePrivate(String address) throws Exception {
        assertThat(PrivateAddressGuard.isPrivate(InetAddress.getByName(address)))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.1.1.1", "8.8.8.8", "100.128.0.1", "172.32.0.1", "192.169.0.1", "2606:4700::1111"})
    void publicAddressesAreNot(String address) throws Exception {
        assertThat(PrivateAddressGuard.isPrivate(InetAddress.getByName(address)))
                .isFalse();
    }

    @org.junit.jupiter.api.Test
    void aNameThatResolvesToLoopbackIsRefusedUnlessTheOperatorAllowedItsNetworkOrItsHostAndPort() throws Exception {
        assertThatThrownBy(() -> PrivateAddressGuard.strict().check("localhost", 8080))
                .isInstanceOf(PrivateAddressException.class)
                .hasMessageContaining("localhost:8080 resolves to")
                .hasMessageContaining("CRONHOOK_EGRESS_ALLOW_PRIVATE");
        assertThatThrownBy(() -> PrivateAddressGuard.strict().check("[::ffff:127.0.0.1]", 80))
                .isInstanceOf(PrivateAddressException.class);

        assertThat(PrivateAddressGuard.allowing("127.0.0.0/8, ::1/128").check("127.0.0.1", 8080))
                .isNotEmpty();
        assertThat(PrivateAddressGuard.allowing("localhost:8080").check("localhost", 8080))
                .isNotEmpty();
        assertThatThrownBy(() -> PrivateAddressGuard.allowing("localhost:8080").check("localhost", 9090))
                .isInstanceOf(PrivateAddressException.class);
        assertThatThrownBy(() -> PrivateAddressGuard.allowing("10.0.0.0/8").check("127.0.0.1", 80))
                .isInstanceOf(PrivateAddressException.class);
    }

    @org.junit.jupiter.api.Test
    void anExceptionThatIsNeitherACidrNorAHostAndPortIsRefusedAtStart() {
        assertThatThrownBy(() -> PrivateAddressGuard.allowing("internal.example"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("internal.example");
        assertThatThrownBy(() -> PrivateAddressGuard.allowing("10.0.0.0/40"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

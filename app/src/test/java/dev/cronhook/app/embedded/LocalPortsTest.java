package dev.cronhook.app.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class LocalPortsTest {

    @Test
    void aPortIsTakenBelowTheEphemeralRangeAndCanBeBound() throws IOException {
        int port = LocalPorts.stable(new int[] {32768, 60999});

        assertThat(port).isBetween(LocalPorts.LOWEST, 32767);
        try (var s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void aRangeStartingLowLeavesThePortsAboveIt() throws IOException {
        assertThat(LocalPorts.stable(new int[] {1024, 50000})).isBetween(50001, 65535);
    }

    @Test
    void withNoRoomOnEitherSideThePortIsAnEphemeralOne() throws IOException {
        // the kernel's own choice for bind(0), which on Linux lies in the real ephemeral range of this machine
        int[] real = LocalPorts.ephemeralRange();
        int port = LocalPorts.stable(new int[] {1024, 65535});

        assertThat(port).isBetween(real[0], real[1]);
    }

    @Test
    void oneProcessNeverGetsTheSamePortTwice() throws IOException {
        var ports = new HashSet<Integer>();
        for (int i = 0; i < 200; i++) assertThat(ports.add(LocalPorts.stable())).isTrue();
    }

    @Test
    void theRangeIsReadAsTheKernelWritesIt() {
        assertThat(LocalPorts.parseRange("32768\t60999\n")).containsExactly(32768, 60999);
        assertThatThrownBy(() -> LocalPorts.parseRange("60999 32768")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalPorts.parseRange("1 2 3")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalPorts.parseRange("0 70000")).isInstanceOf(IllegalArgumentException.class);
    }
}

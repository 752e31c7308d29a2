package dev.cronhook.builder.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostRuntimeTest {

    @Test
    void librariesAreTakenAtThePathsLddPrints() {
        String ldd = """
                \tlinux-vdso.so.1 (0x00007ffd5b3f2000)
                \tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f1d9d313000)
                \tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f1d9d000000)
                \tlibmissing.so.1 => not found
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f1d9d32c000)
                """;

        assertThat(HostRuntime.librariesIn(ldd))
                .containsExactly(
                        "/lib/x86_64-linux-gnu/libdl.so.2",
                        "/lib/x86_64-linux-gnu/libstdc++.so.6",
                        "/lib64/ld-linux-x86-64.so.2");
    }
}

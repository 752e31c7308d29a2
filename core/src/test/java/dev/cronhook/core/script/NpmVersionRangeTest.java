package dev.cronhook.core.script;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpmVersionRangeTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "^4.17.21",
                "~1.2",
                "1.x",
                "*",
                "latest",
                ">=1 <2",
                "1.2.3 - 2.3",
                "^1 || ^2",
                "1.0.0-beta.1",
                "v1.2.3",
                "next",
                ">= 1.2.3",
                "x",
                "2.0.0+build.5"
            })
    void acceptsWhatNpmAccepts(String spec) {
        assertThat(NpmVersionRange.problem(spec)).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "file:../evil",
                "git+https://example.org/x.git",
                "user/repo",
                "^^1",
                "1..2",
                ">=",
                "1.2.3.4",
                "http://x",
                "v1x"
            })
    void refusesWhatIsNotARegistryRange(String spec) {
        assertThat(NpmVersionRange.problem(spec)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lodash", "@types/node", "dayjs", "left-pad", "a.b_c~d"})
    void acceptsValidPackageNames(String name) {
        assertThat(NpmPackageName.problem(name)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Lodash", ".hidden", "_under", "a b", "@scope", "node_modules", "é"})
    void refusesInvalidPackageNames(String name) {
        assertThat(NpmPackageName.problem(name)).isNotNull();
    }
}

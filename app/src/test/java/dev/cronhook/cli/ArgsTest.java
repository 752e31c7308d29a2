package dev.cronhook.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgsTest {
    static Args parse(String... raw) {
        return Args.parse("deploy", List.of(raw), Set.of("env", "timeout"), Set.of("no-wait"));
    }

    @Test
    void optionsTakeTheirValueAfterASpaceOrAnEqualsSign() {
        var a = parse("project", "--env", "prod", "--timeout=30", "--no-wait", "--json");
        assertThat(a.positionals()).containsExactly("project");
        assertThat(a.options()).isEqualTo(Map.of("env", "prod", "timeout", "30", "no-wait", "true", "json", "true"));
        assertThat(a.intOption("timeout", 600, 1, 100)).isEqualTo(30);
        assertThat(a.flag("no-wait")).isTrue();
        assertThat(a.option("missing", "x")).isEqualTo("x");
    }

    @Test
    void everythingAfterADoubleDashIsAPositional() {
        assertThat(parse("--", "--env", "-x").positionals()).containsExactly("--env", "-x");
    }

    @Test
    void anUnknownOptionIsAUsageErrorThatNamesTheCommand() {
        assertThatThrownBy(() -> parse("--environment", "prod"))
                .isInstanceOf(CliException.class)
                .hasMessage("unknown option --environment for deploy (see cronhook deploy --help)")
                .extracting(e -> ((CliException) e).exitCode())
                .isEqualTo(ExitCode.USAGE);
        assertThatThrownBy(() -> parse("-e")).hasMessage("unknown option -e for deploy (see cronhook deploy --help)");
    }

    @Test
    void aValueOptionWithoutItsValueAndAFlagWithOneAreRefused() {
        assertThatThrownBy(() -> parse("--env")).hasMessage("--env needs a value (see cronhook deploy --help)");
        assertThatThrownBy(() -> parse("--no-wait=soon"))
                .hasMessage("--no-wait takes no value (see cronhook deploy --help)");
    }

    @Test
    void aNumberOutOfItsRangeIsRefused() {
        assertThatThrownBy(() -> parse("--timeout", "0").intOption("timeout", 600, 1, 100))
                .hasMessage("--timeout must be a whole number between 1 and 100");
        assertThatThrownBy(() -> parse("--timeout", "soon").intOption("timeout", 600, 1, 100))
                .hasMessage("--timeout must be a whole number between 1 and 100");
    }

    @Test
    void positionalsAreCounted() {
        assertThatThrownBy(() -> parse("a", "b").positionals("deploy", 0, 1))
                .hasMessage("unexpected argument b (see cronhook deploy --help)");
        assertThatThrownBy(() -> parse().positionals("deploy", 1, 1))
                .hasMessage("too few arguments (see cronhook deploy --help)");
    }

    @Test
    void aSingleDashIsAPositional() {
        assertThat(parse("-").positionals()).containsExactly("-");
    }
}

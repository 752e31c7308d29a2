package dev.cronhook.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeHandoffTest {
    static final String ID = "sha256:" + "ab".repeat(32);

    @TempDir
    Path dir;

    @Test
    void anImagesCodeIsFoundByItsIdOnceItIsLeftThere() throws IOException {
        var handoff = new CodeHandoff(dir);
        assertThat(handoff.of(ID)).isEmpty();

        handoff.publish(ID, into -> Files.writeString(into.resolve("script.mjs"), "export default () => 1;"));

        var code = handoff.of(ID).orElseThrow();
        assertThat(code).isEqualTo(dir.resolve("ab".repeat(32)));
        assertThat(Files.readString(code.resolve("script.mjs"))).isEqualTo("export default () => 1;");
        assertThat(handoff.of("sha256:" + "cd".repeat(32)))
                .as("another image's id")
                .isEmpty();
    }

    @Test
    void codeAlreadyThereIsKeptAndNothingHalfMadeIsLeftBehind() throws IOException {
        var handoff = new CodeHandoff(dir);
        handoff.publish(ID, into -> Files.writeString(into.resolve("script.mjs"), "first"));
        handoff.publish(ID, into -> Files.writeString(into.resolve("script.mjs"), "second"));
        assertThatThrownBy(() -> handoff.publish("sha256:" + "cd".repeat(32), into -> {
                    Files.writeString(into.resolve("script.mjs"), "half");
                    throw new IOException("disk full");
                }))
                .hasMessage("disk full");

        assertThat(Files.readString(handoff.of(ID).orElseThrow().resolve("script.mjs")))
                .isEqualTo("first");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("ab".repeat(32));
        }
    }

    @Test
    void onlyAnImageIdNamesADirectory() throws IOException {
        var handoff = new CodeHandoff(dir);
        Files.createDirectories(dir.resolve("etc"));

        for (var notAnId : new String[] {null, "", "etc", "../etc", "sha256:../../etc", "sha256:" + "AB".repeat(32)}) {
            assertThat(handoff.of(notAnId)).as(String.valueOf(notAnId)).isEmpty();
        }
        assertThatThrownBy(() -> handoff.publish("sha256:../x", into -> {}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDirectoryIsTheSettingElseUnderTheHome() {
        assertThat(CodeHandoff.configured("/srv/handoff", "/home/c").dir()).isEqualTo(Path.of("/srv/handoff"));
        assertThat(CodeHandoff.configured(" ", "/home/c").dir()).isEqualTo(Path.of("/home/c/code-handoff"));
        assertThat(CodeHandoff.configured(null, null).dir())
                .isEqualTo(Path.of(System.getProperty("user.home"), ".cronhook", "code-handoff"));
    }
}

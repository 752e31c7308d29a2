package dev.cronhook.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.core.io.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
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
    void codeNeitherPublishedNorTakenForTheRetentionGoesAndTheRestStays() throws IOException {
        var handoff = new CodeHandoff(dir);
        String unused = ID;
        String taken = "sha256:" + "cd".repeat(32);
        String rebuilt = "sha256:" + "ef".repeat(32);
        String recent = "sha256:" + "01".repeat(32);
        for (String id : new String[] {unused, taken, rebuilt, recent}) {
            handoff.publish(id, into -> Files.writeString(into.resolve("script.mjs"), id));
        }
        var now = Instant.now();
        var weekAgo = FileTime.from(now.minus(Duration.ofDays(8)));
        for (String id : new String[] {unused, taken, rebuilt}) {
            Files.setLastModifiedTime(handoff.of(id).orElseThrow(), weekAgo);
        }
        Files.createDirectory(dir.resolve("not-an-image"));
        Files.setLastModifiedTime(dir.resolve("not-an-image"), weekAgo);
        // a publish that died half-way long ago, and one under way now
        Path deadPartial = Files.createDirectories(
                dir.resolve(FileTrees.PARTIAL_PREFIX + "dead").resolve("node_modules"));
        Files.setLastModifiedTime(deadPartial.getParent(), weekAgo);
        Path livePartial = Files.createDirectory(dir.resolve(FileTrees.PARTIAL_PREFIX + "live"));

        handoff.used(taken);
        handoff.publish(rebuilt, into -> Files.writeString(into.resolve("script.mjs"), "again"));
        int pruned = handoff.prune(Duration.ofDays(7), now.plusSeconds(1));

        assertThat(pruned).isOne();
        assertThat(handoff.of(unused)).isEmpty();
        assertThat(handoff.of(taken)).isPresent();
        assertThat(handoff.of(rebuilt)).isPresent();
        assertThat(handoff.of(recent)).isPresent();
        assertThat(Files.readString(handoff.of(rebuilt).orElseThrow().resolve("script.mjs")))
                .as("what was there is kept")
                .isEqualTo(rebuilt);
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            "cd".repeat(32),
                            "ef".repeat(32),
                            "01".repeat(32),
                            "not-an-image",
                            livePartial.getFileName().toString());
        }
        assertThat(handoff.prune(Duration.ofDays(7), now.plusSeconds(1)))
                .as("nothing more")
                .isZero();
    }

    @Test
    void pruningADirectoryThatIsNotThereYetPrunesNothing() throws IOException {
        assertThat(new CodeHandoff(dir.resolve("later")).prune(Duration.ofDays(7), Instant.now()))
                .isZero();
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

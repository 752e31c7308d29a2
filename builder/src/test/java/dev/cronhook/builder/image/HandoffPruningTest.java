package dev.cronhook.builder.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.core.build.CodeHandoff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandoffPruningTest {
    static final String OLD = "sha256:" + "ab".repeat(32);
    static final String NEW = "sha256:" + "cd".repeat(32);

    @TempDir
    Path dir;

    private CodeHandoff handoffWithAnOldAndANewImage() throws IOException {
        var handoff = new CodeHandoff(dir);
        handoff.publish(OLD, into -> Files.writeString(into.resolve("script.mjs"), "old"));
        handoff.publish(NEW, into -> Files.writeString(into.resolve("script.mjs"), "new"));
        Files.setLastModifiedTime(
                handoff.of(OLD).orElseThrow(), FileTime.from(Instant.now().minus(Duration.ofDays(10))));
        return handoff;
    }

    @Test
    void theCodeOfImagesUnusedForTheRetentionGoesAsSoonAsItStarts() throws IOException {
        var handoff = handoffWithAnOldAndANewImage();

        try (var pruning = HandoffPruning.start(handoff, Duration.ofDays(7), Duration.ofHours(6))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> handoff.of(OLD).isEmpty());
            assertThat(handoff.of(NEW)).isPresent();
        }
    }

    @Test
    void aRetentionOfZeroKeepsEverything() throws Exception {
        var handoff = handoffWithAnOldAndANewImage();

        try (var pruning = HandoffPruning.start(handoff, Duration.ZERO, Duration.ofMillis(10))) {
            Thread.sleep(300);
            assertThat(handoff.of(OLD)).isPresent();
            assertThat(handoff.of(NEW)).isPresent();
        }
        try (var none = HandoffPruning.start(null, Duration.ofDays(7), Duration.ofMillis(10))) {
            // no handoff (a registry or bundle builder): nothing to do, nothing fails
        }
    }
}

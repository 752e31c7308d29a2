package dev.cronhook.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir
    Path tmp;

    @Test
    void aTreeGoesWithItsLinksButNotWhatTheyPointAt() throws IOException {
        var outside = Files.writeString(tmp.resolve("outside.txt"), "kept");
        var outsideDir = Files.createDirectories(tmp.resolve("outside-dir"));
        Files.writeString(outsideDir.resolve("inner.txt"), "kept too");
        var tree = Files.createDirectories(tmp.resolve("tree/a/b"));
        Files.writeString(tree.resolve("file.txt"), "gone");
        Files.createSymbolicLink(tree.resolve("to-file"), outside);
        Files.createSymbolicLink(tree.resolve("to-dir"), outsideDir);

        FileTrees.delete(tmp.resolve("tree"));

        assertThat(tmp.resolve("tree")).doesNotExist();
        assertThat(outside).hasContent("kept");
        assertThat(outsideDir.resolve("inner.txt")).hasContent("kept too");
    }

    @Test
    void aMissingTreeIsNothingAndALinkAsTheRootIsRemovedAlone() throws IOException {
        FileTrees.delete(tmp.resolve("missing"));
        FileTrees.deleteQuietly(tmp.resolve("missing"));

        var target = Files.createDirectories(tmp.resolve("target"));
        Files.writeString(target.resolve("f"), "kept");
        var link = Files.createSymbolicLink(tmp.resolve("link"), target);
        FileTrees.delete(link);

        assertThat(link).doesNotExist();
        assertThat(target.resolve("f")).hasContent("kept");
    }

    @Test
    void deleteQuietlyRemovesATreeTheSameWay() throws IOException {
        var outside = Files.writeString(tmp.resolve("outside.txt"), "kept");
        var tree = Files.createDirectories(tmp.resolve("tree/a"));
        Files.writeString(tree.resolve("file.txt"), "gone");
        Files.createSymbolicLink(tree.resolve("to-file"), outside);

        FileTrees.deleteQuietly(tmp.resolve("tree"));

        assertThat(tmp.resolve("tree")).doesNotExist();
        assertThat(outside).hasContent("kept");
    }

    @Test
    void publishRenamesAWholeTreeIntoPlaceAndKeepsOneMadeMeanwhile() throws IOException {
        var target = tmp.resolve("code");

        assertThat(FileTrees.publish(target, dir -> {
                    Files.createDirectories(dir);
                    Files.writeString(dir.resolve("index.mjs"), "first");
                }))
                .isTrue();
        assertThat(FileTrees.publish(target, dir -> {
                    Files.createDirectories(dir);
                    Files.writeString(dir.resolve("index.mjs"), "second");
                }))
                .isFalse();

        assertThat(target.resolve("index.mjs")).hasContent("first");
        try (var left = Files.list(tmp)) {
            assertThat(left).containsExactly(target);
        }
    }

    @Test
    void aFailedMakerLeavesNothingBehind() throws IOException {
        var target = tmp.resolve("code");

        assertThatThrownBy(() -> FileTrees.publish(target, dir -> {
                    Files.createDirectories(dir.resolve("half/made"));
                    throw new IOException("the layer ended early");
                }))
                .hasMessage("the layer ended early");

        try (var left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }
}

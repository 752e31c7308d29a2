package dev.cronhook.executor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
    private final List<String> lines = new ArrayList<>();
    private final List<Boolean> cuts = new ArrayList<>();

    private LineSplitter splitter(int max) {
        return new LineSplitter(max, (line, cut) -> {
            lines.add(line);
            cuts.add(cut);
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void linesSplitAcrossChunksAreJoined() {
        var splitter = splitter(1024);
        splitter.feed(bytes("hel"), 0, 3);
        splitter.feed(bytes("lo\nwor"), 0, 6);
        splitter.feed(bytes("ld\r\n"), 0, 4);

        assertThat(lines).containsExactly("hello", "world");
    }

    @Test
    void aMultiByteCharacterSplitAcrossChunksSurvives() {
        var splitter = splitter(1024);
        byte[] text = bytes("grüße\n");
        splitter.feed(text, 0, 3);
        splitter.feed(text, 3, text.length - 3);

        assertThat(lines).containsExactly("grüße");
    }

    @Test
    void anOverlongLineIsCutAndFlagged() {
        var splitter = splitter(4);
        splitter.feed(bytes("abcdefgh\nok\n"), 0, 12);

        assertThat(lines).containsExactly("abcd", "ok");
        assertThat(cuts).containsExactly(true, false);
    }

    @Test
    void aLastLineWithoutNewlineIsFlushedAtTheEnd() {
        var splitter = splitter(1024);
        splitter.feed(bytes("tail"), 0, 4);
        assertThat(lines).isEmpty();

        splitter.flush();

        assertThat(lines).containsExactly("tail");
    }
}

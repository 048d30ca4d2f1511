package io.exgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StagedLinesTest {
    private static LineBytes line(String text) {
        return new LineBytes(16).appendText(text);
    }

    /** What the writer reads back: "folder:text" per line, in order. */
    private static List<String> read(List<StagedLines.Chunk> chunks) {
        List<String> lines = new ArrayList<>();
        for (StagedLines.Chunk chunk : chunks) {
            chunk.forEachLine((folder, bytes, from, length) ->
                    lines.add(folder + ":" + new String(bytes, from, length, StandardCharsets.UTF_8)));
        }
        return lines;
    }

    @Test
    void linesComeOutInOrderWithTheirFoldersAcrossChunks() {
        StagedLines staged = new StagedLines(100_000, StagedLines.MAX_BYTES);
        List<String> expected = new ArrayList<>();
        String filler = "x".repeat(1000);
        for (int i = 0; i < 1000; i++) { // about 1 MB: several chunks
            assertThat(staged.add(i % 10, line("r" + i + filler))).isNotEqualTo(StagedLines.Added.FULL);
            expected.add((i % 10) + ":r" + i + filler);
        }
        List<StagedLines.Chunk> taken = staged.take();
        assertThat(taken).hasSizeGreaterThan(1);
        assertThat(read(taken)).containsExactlyElementsOf(expected);
        assertThat(staged.isEmpty()).isTrue();
        assertThat(staged.take()).isEmpty();
    }

    @Test
    void aLineLongerThanAChunkIsKeptWhole() {
        StagedLines staged = new StagedLines(10, StagedLines.MAX_BYTES);
        String huge = "h".repeat(StagedLines.CHUNK_BYTES + 1000);
        staged.add(0, line("before"));
        staged.add(1, line(huge));
        staged.add(2, line("after"));
        assertThat(read(staged.take())).containsExactly("0:before", "1:" + huge, "2:after");
    }

    @Test
    void aFullStageRefusesLinesByCountAndByBytes() {
        StagedLines byCount = new StagedLines(3, StagedLines.MAX_BYTES);
        for (int i = 0; i < 3; i++) {
            assertThat(byCount.add(0, line("r" + i))).isNotEqualTo(StagedLines.Added.FULL);
        }
        assertThat(byCount.add(0, line("r3"))).isEqualTo(StagedLines.Added.FULL);

        StagedLines byBytes = new StagedLines(1000, 100);
        assertThat(byBytes.add(0, line("a".repeat(60)))).isNotEqualTo(StagedLines.Added.FULL);
        assertThat(byBytes.add(0, line("b".repeat(60)))).isEqualTo(StagedLines.Added.FULL);
        assertThat(byBytes.add(0, line("c".repeat(40)))).isNotEqualTo(StagedLines.Added.FULL);

        byBytes.take(); // the writer took them: room again
        assertThat(byBytes.add(0, line("d".repeat(90)))).isNotEqualTo(StagedLines.Added.FULL);
    }

    @Test
    void anIdleWriterIsWokenByTheFirstLineAndABusyOneOnlyWhenMuchIsStaged() {
        StagedLines staged = new StagedLines(100_000, StagedLines.MAX_BYTES);
        staged.writerIdle(true);
        assertThat(staged.add(0, line("first"))).isEqualTo(StagedLines.Added.STAGED_WAKE_WRITER);
        staged.writerIdle(false);
        assertThat(staged.add(0, line("second"))).isEqualTo(StagedLines.Added.STAGED);

        String filler = "y".repeat(10_000);
        int wakes = 0;
        for (int i = 0; i < 200; i++) { // 2 MB
            if (staged.add(0, line(filler)) == StagedLines.Added.STAGED_WAKE_WRITER) {
                wakes++;
            }
        }
        // Not once per line: once per chunk started past the threshold (2 MB / 256 KiB = 8 chunks, 4 of them past 1 MiB).
        assertThat(wakes).isBetween(1, 8);
    }

    @Test
    void onlyTheFirstLineWakesAnAsleepWriterSoThatItsNextWaitIsNotCutShort() {
        StagedLines staged = new StagedLines(100_000, StagedLines.MAX_BYTES);
        staged.writerIdle(true); // asleep; the request threads keep staging before it runs again
        assertThat(staged.add(0, line("first"))).isEqualTo(StagedLines.Added.STAGED_WAKE_WRITER);
        for (int i = 0; i < 50; i++) {
            assertThat(staged.add(0, line("more " + i))).isEqualTo(StagedLines.Added.STAGED);
        }
        assertThat(staged.muchStaged()).isFalse();
        staged.writerIdle(true); // asleep again after writing
        assertThat(staged.add(0, line("next"))).isEqualTo(StagedLines.Added.STAGED_WAKE_WRITER);
    }

    @Test
    void muchStagedOnceAMebibyteWaits() {
        StagedLines staged = new StagedLines(100_000, StagedLines.MAX_BYTES);
        String filler = "z".repeat(10_000);
        while (!staged.muchStaged()) {
            staged.add(0, line(filler));
        }
        assertThat(staged.take().stream().mapToLong(c -> c.size).sum()).isGreaterThanOrEqualTo(StagedLines.WAKE_BYTES);
        assertThat(staged.muchStaged()).isFalse();
    }

    @Test
    void writtenChunksAreReusedInsteadOfAllocatedAgain() {
        StagedLines staged = new StagedLines(100, StagedLines.MAX_BYTES);
        staged.add(0, line("one"));
        List<StagedLines.Chunk> first = staged.take();
        staged.recycle(first);
        staged.add(1, line("two"));
        List<StagedLines.Chunk> second = staged.take();
        assertThat(second.get(0)).isSameAs(first.get(0));
        assertThat(read(second)).containsExactly("1:two");
    }
}

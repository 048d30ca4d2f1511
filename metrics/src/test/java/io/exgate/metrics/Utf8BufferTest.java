package io.exgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8BufferTest {
    @Test
    void encodesAsTheJdkDoesAcrossBufferBoundaries() throws IOException {
        String text = "ascii, Grüße, 日本語, emoji \uD83D\uDCE7 mail, a lone \uD83D surrogate and a lone \uDCE7 one".repeat(40);
        for (int capacity : new int[] {4, 5, 7, 64, 4096}) {
            assertThat(encode(text, capacity)).as("capacity %d", capacity)
                    .isEqualTo(text.getBytes(StandardCharsets.UTF_8)); // the JDK writes '?' for a lone surrogate too
        }
    }

    @Test
    void encodedBytesAreCopiedWholeAcrossBufferBoundaries() throws IOException {
        byte[] line = "MAPI,200,Grüße\r\n".repeat(30).getBytes(StandardCharsets.UTF_8);
        for (int capacity : new int[] {4, 5, 7, 64, 4096}) {
            Utf8Buffer buffer = new Utf8Buffer(capacity);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int from = 0;
            while (from < line.length) {
                if (buffer.isFull()) {
                    buffer.drainTo(out);
                }
                from += buffer.put(line, from, line.length - from);
            }
            buffer.drainTo(out);
            assertThat(out.toByteArray()).as("capacity %d", capacity).isEqualTo(line);
        }
    }

    private static byte[] encode(String text, int capacity) throws IOException {
        Utf8Buffer buffer = new Utf8Buffer(capacity);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        while (from < text.length()) {
            if (buffer.isFull()) {
                buffer.drainTo(out);
            }
            from = buffer.encode(text, from);
        }
        buffer.drainTo(out);
        return out.toByteArray();
    }
}

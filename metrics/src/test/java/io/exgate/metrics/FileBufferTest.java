package io.exgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FileBufferTest {
    @Test
    void encodedBytesAreCopiedWholeAcrossBufferBoundaries() throws IOException {
        byte[] line = "MAPI,200,Grüße\r\n".repeat(30).getBytes(StandardCharsets.UTF_8);
        for (int capacity : new int[] {1, 5, 7, 64, 4096}) {
            FileBuffer buffer = new FileBuffer(capacity);
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
}

package io.exgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FileBufferTest {
    @Test
    void encodedBytesAreCopiedWholeAcrossBufferBoundaries() throws IOException {
        byte[] line = "MAPI,200,Grüße\r\n".repeat(30).getBytes(StandardCharsets.UTF_8);
        for (int capacity : new int[] {1, 5, 7, 64, 4096}) {
            FileBuffer buffer = new FileBuffer(capacity);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            WritableByteChannel out = Channels.newChannel(bytes);
            int from = 0;
            while (from < line.length) {
                if (buffer.isFull()) {
                    buffer.drainTo(out);
                }
                from += buffer.put(line, from, line.length - from);
            }
            buffer.drainTo(out);
            assertThat(bytes.toByteArray()).as("capacity %d", capacity).isEqualTo(line);
        }
    }

    @Test
    void aFailedWriteLeavesNothingBehindForTheNextFile() throws IOException {
        FileBuffer buffer = new FileBuffer(64);
        byte[] lost = "lost line\r\n".getBytes(StandardCharsets.US_ASCII);
        buffer.put(lost, 0, lost.length);
        WritableByteChannel failing = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        assertThatThrownBy(() -> buffer.drainTo(failing)).hasMessageContaining("No space");
        assertThat(buffer.size()).isZero();

        byte[] next = "next file\r\n".getBytes(StandardCharsets.US_ASCII);
        buffer.put(next, 0, next.length);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        buffer.drainTo(Channels.newChannel(bytes));
        assertThat(bytes.toString(StandardCharsets.US_ASCII)).isEqualTo("next file\r\n");
    }
}

package io.exgate.metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * The bytes of one folder's log file on their way to the OS, for the writer thread: lines arrive
 * already encoded (from {@link StagedLines}) and are copied in whole or across a drain. The buffer is direct
 * because a file channel copies a heap buffer into a temporary direct one before every write. One per
 * folder, reused by each of its files.
 */
final class FileBuffer {
    private final ByteBuffer bytes;

    FileBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a file buffer needs room for one byte, not " + capacity);
        }
        this.bytes = ByteBuffer.allocateDirect(capacity);
    }

    int size() {
        return bytes.position();
    }

    boolean isFull() {
        return !bytes.hasRemaining();
    }

    /** Copies bytes already encoded, as many as fit; returns how many that was. */
    int put(byte[] src, int from, int length) {
        int n = Math.min(length, bytes.remaining());
        bytes.put(src, from, n);
        return n;
    }

    /** Writes what is buffered; the buffer is empty afterwards, whether the write worked or not. */
    void drainTo(WritableByteChannel out) throws IOException {
        if (bytes.position() == 0) {
            return;
        }
        bytes.flip();
        try {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        } finally {
            bytes.clear(); // a failed write loses these bytes either way: the file is given up
        }
    }

    void clear() {
        bytes.clear();
    }
}

package io.exgate.metrics;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The bytes of one log file on their way to the OS, for the writer thread: lines arrive already
 * encoded ({@link LineBytes}) and are copied in whole or across a drain. It stands in for
 * BufferedWriter over OutputStreamWriter, which needed each line as a String and copied it twice more.
 */
final class FileBuffer {
    private final byte[] bytes;
    private int size;

    FileBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a file buffer needs room for one byte, not " + capacity);
        }
        this.bytes = new byte[capacity];
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size == bytes.length;
    }

    /** Copies bytes already encoded, as many as fit; returns how many that was. */
    int put(byte[] src, int from, int length) {
        int n = Math.min(length, bytes.length - size);
        System.arraycopy(src, from, bytes, size, n);
        size += n;
        return n;
    }

    void drainTo(OutputStream out) throws IOException {
        if (size > 0) {
            int n = size;
            size = 0; // a failed write loses these bytes either way: the file is given up
            out.write(bytes, 0, n);
        }
    }

    void clear() {
        size = 0;
    }
}

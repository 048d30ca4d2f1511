package io.exgate.metrics;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A byte buffer that text is encoded into as UTF-8, for the writer thread. It stands in for
 * BufferedWriter over OutputStreamWriter, which needed each line as a String and copied it twice more
 * on the way to the file. A lone surrogate becomes '?', as the JDK's encoder replaces it: a broken
 * header value must not look like a disk failure.
 */
final class Utf8Buffer {
    private final byte[] bytes;
    private int size;

    Utf8Buffer(int capacity) {
        if (capacity < 4) {
            throw new IllegalArgumentException("a UTF-8 buffer needs room for one 4-byte sequence, not " + capacity);
        }
        this.bytes = new byte[capacity];
    }

    /**
     * Bytes the text takes in UTF-8, counted without encoding it: size rollover must know a line's
     * size before writing it. A lone surrogate counts 1, as encode() writes '?' for it.
     */
    static long encodedLength(CharSequence text) {
        long bytes = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    int size() {
        return size;
    }

    /** True when the next character might not fit. */
    boolean isFull() {
        return bytes.length - size < 4;
    }

    /** Encodes from {@code from} until the text ends or the buffer is full; returns where it stopped. */
    int encode(CharSequence text, int from) {
        int n = text.length();
        int i = from;
        while (i < n && bytes.length - size >= 4) {
            char c = text.charAt(i++);
            if (c < 0x80) {
                bytes[size++] = (byte) c;
            } else if (c < 0x800) {
                bytes[size++] = (byte) (0xC0 | (c >> 6));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i < n && Character.isLowSurrogate(text.charAt(i))) {
                int cp = Character.toCodePoint(c, text.charAt(i++));
                bytes[size++] = (byte) (0xF0 | (cp >> 18));
                bytes[size++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                bytes[size++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                bytes[size++] = '?';
            } else {
                bytes[size++] = (byte) (0xE0 | (c >> 12));
                bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return i;
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

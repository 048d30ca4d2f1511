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

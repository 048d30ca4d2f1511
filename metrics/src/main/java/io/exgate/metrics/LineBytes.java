package io.exgate.metrics;

import java.nio.charset.StandardCharsets;

/**
 * One log line as UTF-8 bytes, built by the logging thread in a buffer it reuses for every line. The
 * line is encoded once, straight from the record's values: its size (for rollover) is then known
 * without another pass over its characters, and the stage takes it with one array copy. A lone
 * surrogate becomes '?', as the JDK's encoder replaces it: a broken header value must not look like a
 * disk failure.
 */
final class LineBytes {
    private byte[] bytes;
    private int size;

    LineBytes(int capacity) {
        bytes = new byte[capacity];
    }

    byte[] array() {
        return bytes;
    }

    int size() {
        return size;
    }

    int capacity() {
        return bytes.length;
    }

    void clear() {
        size = 0;
    }

    LineBytes append(char ascii) {
        ensure(1);
        bytes[size++] = (byte) ascii;
        return this;
    }

    /** The ASCII characters a CSV value can hold as they are: printable ones and tab, not ',' or '"'. */
    private static final boolean[] PLAIN = plain();

    /**
     * Appends the value when every character in it is plain ASCII ({@link #PLAIN}), checking while it
     * copies; otherwise appends nothing and returns false.
     */
    boolean appendPlainAscii(String value) {
        int n = value.length();
        ensure(n);
        byte[] b = bytes;
        int at = size;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x80 || !PLAIN[c]) {
                return false;
            }
            b[at + i] = (byte) c;
        }
        size = at + n;
        return true;
    }

    private static boolean[] plain() {
        boolean[] plain = new boolean[0x80];
        for (int c = 0x20; c < 0x7F; c++) {
            plain[c] = c != ',' && c != '"';
        }
        plain['\t'] = true;
        return plain;
    }

    /** Appends any text as UTF-8. */
    LineBytes appendText(String text) {
        for (int i = 0; i < text.length(); ) {
            i = appendUtf8(text, i);
        }
        return this;
    }

    /** Appends the character at {@code i} (a surrogate pair as one) as UTF-8; returns the index after it. */
    int appendUtf8(String text, int i) {
        char c = text.charAt(i);
        ensure(4);
        if (c < 0x80) {
            bytes[size++] = (byte) c;
        } else if (c < 0x800) {
            bytes[size++] = (byte) (0xC0 | (c >> 6));
            bytes[size++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
            int cp = Character.toCodePoint(c, text.charAt(i + 1));
            bytes[size++] = (byte) (0xF0 | (cp >> 18));
            bytes[size++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            bytes[size++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            bytes[size++] = (byte) (0x80 | (cp & 0x3F));
            return i + 2;
        } else if (Character.isSurrogate(c)) {
            bytes[size++] = '?';
        } else {
            bytes[size++] = (byte) (0xE0 | (c >> 12));
            bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            bytes[size++] = (byte) (0x80 | (c & 0x3F));
        }
        return i + 1;
    }

    @Override
    public String toString() {
        return new String(bytes, 0, size, StandardCharsets.UTF_8);
    }

    private void ensure(int more) {
        if (bytes.length - size < more) {
            bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}

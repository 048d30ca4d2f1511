package io.exgate.metrics;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One open log file. Tracks its size in bytes (for rollover) and how many lines sit in the buffer
 * (so that a failed flush counts exactly those as dropped). Used by the writer thread only.
 */
final class LogFile {
    private final Path path;
    private final LogFileName name;
    private final FileChannel out;
    private final FileBuffer buffer;
    private long bytes;
    private int dataLines;
    private int unflushedLines;

    private LogFile(Path path, LogFileName name, FileChannel out, FileBuffer buffer) {
        this.path = path;
        this.name = name;
        this.out = out;
        this.buffer = buffer;
    }

    /**
     * Creates the file with its header, never over an existing one (a second file of the same hour
     * must get its own number and its own header). {@code buffer} is the folder's, empty: a drain
     * empties it even when the write fails, and a file given up clears it.
     */
    static LogFile create(Path folder, LogFileName name, Instant created, String version, FileBuffer buffer) throws IOException {
        Path path = folder.resolve(name.toString());
        LogFile file = new LogFile(path, name, FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), buffer);
        try {
            LineBytes header = new LineBytes(1024).appendText(CsvLine.header(version, created));
            file.write(header.array(), 0, header.size());
            file.bytes = header.size();
            file.flush();
        } catch (IOException e) {
            closeQuietly(file.out);
            throw e;
        }
        return file;
    }

    Path path() {
        return path;
    }

    LogFileName name() {
        return name;
    }

    /** Bytes written to it so far, header included. */
    long size() {
        return bytes;
    }

    /** Whether one more line fits; an empty file takes any line, or an oversized line could never be written. */
    boolean fits(long lineBytes, long maxBytes) {
        return dataLines == 0 || bytes + lineBytes <= maxBytes;
    }

    void append(byte[] line, int from, int length) throws IOException {
        write(line, from, length);
        bytes += length;
        dataLines++;
        unflushedLines++;
    }

    /** Hands the buffer to the OS; returns how many lines that made it. */
    int flush() throws IOException {
        buffer.drainTo(out);
        int flushed = unflushedLines;
        unflushedLines = 0;
        return flushed;
    }

    /** Flushes and closes; returns how many lines the final flush wrote. */
    int close() throws IOException {
        int flushed = flush();
        out.close();
        return flushed;
    }

    /** Gives the file up after a failure; returns how many buffered lines are lost with it. */
    int abandon() {
        int lost = unflushedLines;
        unflushedLines = 0;
        buffer.clear();
        closeQuietly(out);
        return lost;
    }

    /** False when the file (or its folder) was removed under us: its lines would go to an unlinked inode. */
    boolean stillThere() {
        return Files.isRegularFile(path);
    }

    /** Copies into the buffer, handing full buffers to the file. */
    private void write(byte[] line, int from, int length) throws IOException {
        int end = from + length;
        while (from < end) {
            if (buffer.isFull()) {
                buffer.drainTo(out);
            }
            from += buffer.put(line, from, end - from);
        }
    }

    private static void closeQuietly(FileChannel out) {
        try {
            out.close();
        } catch (IOException ignored) {
            // Already failing; the caller reports the first error.
        }
    }
}

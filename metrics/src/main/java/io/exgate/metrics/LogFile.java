package io.exgate.metrics;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One open log file. Tracks its size in bytes (for rollover) and how many lines sit in the buffer
 * (so that a failed flush counts exactly those as dropped). Used by the writer thread only.
 */
final class LogFile {
    private static final int BUFFER_CHARS = 64 * 1024;

    private final Path path;
    private final LogFileName name;
    private final BufferedWriter out;
    private long bytes;
    private int dataLines;
    private int unflushedLines;

    private LogFile(Path path, LogFileName name, BufferedWriter out, long headerBytes) {
        this.path = path;
        this.name = name;
        this.out = out;
        this.bytes = headerBytes;
    }

    /**
     * Creates the file with its header, never over an existing one (a second file of the same hour
     * must get its own number and its own header).
     */
    static LogFile create(Path folder, LogFileName name, Instant created, String version) throws IOException {
        Path path = folder.resolve(name.toString());
        // OutputStreamWriter with a Charset replaces unencodable chars instead of throwing: a lone
        // surrogate in a header value must not look like a disk failure.
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(
                Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                StandardCharsets.UTF_8), BUFFER_CHARS);
        String header = CsvLine.header(version, created);
        try {
            out.write(header);
            out.flush();
        } catch (IOException e) {
            closeQuietly(out);
            throw e;
        }
        return new LogFile(path, name, out, CsvLine.utf8Length(header));
    }

    Path path() {
        return path;
    }

    LogFileName name() {
        return name;
    }

    /** Whether one more line fits; an empty file takes any line, or an oversized line could never be written. */
    boolean fits(long lineBytes, long maxBytes) {
        return dataLines == 0 || bytes + lineBytes <= maxBytes;
    }

    void append(String line, long lineBytes) throws IOException {
        out.write(line);
        bytes += lineBytes;
        dataLines++;
        unflushedLines++;
    }

    /** Hands the buffer to the OS; returns how many lines that made it. */
    int flush() throws IOException {
        out.flush();
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
        closeQuietly(out);
        return lost;
    }

    /** False when the file (or its folder) was removed under us: its lines would go to an unlinked inode. */
    boolean stillThere() {
        return Files.isRegularFile(path);
    }

    private static void closeQuietly(BufferedWriter out) {
        try {
            out.close();
        } catch (IOException ignored) {
            // Already failing; the caller reports the first error.
        }
    }
}

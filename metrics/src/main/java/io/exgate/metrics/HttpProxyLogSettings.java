package io.exgate.metrics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how much the HttpProxy log writes.
 *
 * @param directory the {@code logs.directory}; files go to {@code directory/HttpProxy/<protocol>/}
 * @param maxFileSizeBytes a file is closed and the next one ({@code -2}, {@code -3}, ...) started
 *     before a line would make it larger than this
 * @param maxAge files last modified longer ago than this are deleted
 * @param maxTotalSizeBytes per protocol folder; the oldest files are deleted first to stay under it
 * @param queueCapacity lines waiting for the writer; beyond it lines are dropped (and counted) so that
 *     a slow disk never slows a request
 * @param version written in each file's {@code #Version} line
 */
public record HttpProxyLogSettings(
        Path directory,
        long maxFileSizeBytes,
        Duration maxAge,
        long maxTotalSizeBytes,
        int queueCapacity,
        String version) {

    /** Exchange's own defaults: 10 MB files, 1 GB per folder, 30 days. */
    public static final long DEFAULT_MAX_FILE_SIZE = 10L * 1024 * 1024;
    public static final long DEFAULT_MAX_TOTAL_SIZE = 1024L * 1024 * 1024;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(30);
    /** Seconds of a busy front end's lines; the bytes they may take are bounded apart (64 MiB). */
    public static final int DEFAULT_QUEUE_CAPACITY = 65_536;

    public HttpProxyLogSettings {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(version, "version");
        if (maxFileSizeBytes <= 0) {
            throw new IllegalArgumentException("maxFileSizeBytes must be positive: " + maxFileSizeBytes);
        }
        if (maxTotalSizeBytes <= 0) {
            throw new IllegalArgumentException("maxTotalSizeBytes must be positive: " + maxTotalSizeBytes);
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
        }
        if (queueCapacity <= 0) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
        // A line break would end the #Version header line early and corrupt every file's header.
        if (version.indexOf('\r') >= 0 || version.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("version must be a single line");
        }
    }

    /** Exchange's defaults for everything but where the logs go and the version they name. */
    public static HttpProxyLogSettings defaults(Path directory, String version) {
        return new HttpProxyLogSettings(directory, DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_AGE,
                DEFAULT_MAX_TOTAL_SIZE, DEFAULT_QUEUE_CAPACITY, version);
    }

    /** The folder of one protocol's files. */
    Path folder(String protocolFolder) {
        return directory.resolve("HttpProxy").resolve(protocolFolder);
    }
}

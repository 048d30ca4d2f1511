package io.exgate.proxy.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code logs:} section: the HttpProxy logs under {@code <directory>/HttpProxy/<Protocol>/}, with
 * Exchange's own defaults for rollover and retention.
 *
 * @param anonymous401 log the anonymous 401 that opens every NTLM/Negotiate handshake (Exchange does not)
 */
public record LogSettings(Path directory, long maxFileSize, Duration maxAge, long maxTotalSize, boolean anonymous401) {
    public static final long DEFAULT_MAX_FILE_SIZE = 10L * 1024 * 1024;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(30);
    public static final long DEFAULT_MAX_TOTAL_SIZE = 1024L * 1024 * 1024;
}

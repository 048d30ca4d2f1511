package io.exgate.proxy.config;

/**
 * The {@code limits:} section: what one client may make the public listener hold.
 *
 * @param maxConnections  concurrent client connections on the listener; more are closed at once
 * @param maxHeaderSize   bytes of one request's header section (Kerberos tickets make headers large)
 * @param maxHeaderCount  header fields in one request
 * @param maxRequestLine  bytes of the request line (method, target, version)
 */
public record Limits(int maxConnections, int maxHeaderSize, int maxHeaderCount, int maxRequestLine) {
    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;
    public static final int DEFAULT_MAX_HEADER_SIZE = 64 * 1024;
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    public static final int DEFAULT_MAX_REQUEST_LINE = 16 * 1024;

    public static Limits defaults() {
        return new Limits(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_HEADER_COUNT, DEFAULT_MAX_REQUEST_LINE);
    }
}

package io.exgate.proxy.config;

import java.time.Duration;

/**
 * The {@code timeouts:} section.
 *
 * @param connect          connecting to a backend
 * @param idle             silence in both directions of a request, or on a client connection, before
 *                         exgate gives up; long enough for NotificationWait long polls and RPC channels
 * @param backendKeepAlive how long an unused pooled backend connection is kept; below IIS's 120 s so
 *                         that exgate never picks a connection the backend is closing
 * @param shutdown         how long a graceful stop waits for requests in flight
 * @param requestHeader    from a request's first byte to the end of its header section; a client
 *                         slower than this (slowloris) gets 408 and the connection is closed
 */
public record Timeouts(Duration connect, Duration idle, Duration backendKeepAlive, Duration shutdown, Duration requestHeader) {
    public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(15);
    public static final Duration DEFAULT_BACKEND_KEEP_ALIVE = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SHUTDOWN = Duration.ofSeconds(30);
    public static final Duration DEFAULT_REQUEST_HEADER = Duration.ofSeconds(10);
}

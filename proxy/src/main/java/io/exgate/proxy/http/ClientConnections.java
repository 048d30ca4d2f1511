package io.exgate.proxy.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Open client connections on the public listener, shared by every event loop, against {@code limits.max-connections}. */
public final class ClientConnections {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean draining;
    private final AtomicLong lastWarningNanos = new AtomicLong(System.nanoTime() - WARNING_EVERY_NANOS);
    private static final long WARNING_EVERY_NANOS = 10_000_000_000L;

    public ClientConnections(int max) {
        this.max = max;
    }

    /** Counts a new connection in; false (and nothing counted) when the listener is full. */
    boolean tryOpen() {
        while (true) {
            int n = open.get();
            if (n >= max) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void closed() {
        open.decrementAndGet();
    }

    /** exgate is stopping: every request from now on is answered with {@code Connection: close}, then its connection closes. */
    public void startDrain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    public int open() {
        return open.get();
    }

    int max() {
        return max;
    }

    /** One warning per 10 s at most: a flood must not also flood the log. */
    boolean shouldWarn() {
        long now = System.nanoTime();
        long last = lastWarningNanos.get();
        return now - last >= WARNING_EVERY_NANOS && lastWarningNanos.compareAndSet(last, now);
    }
}

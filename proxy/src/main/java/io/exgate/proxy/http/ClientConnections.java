package io.exgate.proxy.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Open client connections on the public listener, shared by every event loop, against {@code limits.max-connections}. */
public final class ClientConnections {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean draining;
    /** The listening socket, learnt from the first connection: a stop closes it before anything else. */
    private volatile io.netty.channel.Channel listener;
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

    void listening(io.netty.channel.Channel serverChannel) {
        if (listener == null && serverChannel != null) {
            listener = serverChannel;
        }
    }

    /**
     * Closes the listening socket itself, so that no connection is accepted while Vert.x takes its
     * listener instances down one by one (a connection accepted then meets none and is reset with a trace).
     */
    public void stopAccepting(Runnable then) {
        io.netty.channel.Channel channel = listener;
        if (channel == null || !channel.isOpen()) {
            then.run();
            return;
        }
        channel.close().addListener(closed -> then.run());
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

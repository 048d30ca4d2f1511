package io.exgate.proxy.http;

import io.exgate.routing.Backend;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.impl.UnpooledHttpClientConnection;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * One backend's keep-alive connections on one event loop. A connection in use belongs to its exchange
 * alone (a long poll or an RPC channel holds one for hours without costing the others anything); when
 * the exchange is done, a reusable connection comes back here and the most recently used is lent first,
 * so that rarely used ones age out at {@code timeouts.backend-keep-alive}.
 */
final class BackendPool {
    /** Called once with the connection, or once with why there is none. */
    interface Acquirer {
        void acquired(BackendChannel channel);

        void acquireFailed(Throwable cause);
    }

    private static final Field ACTUAL = actualField();

    private final Backend backend;
    private final HttpClientAgent connector;
    private final ContextInternal context;
    private final long keepAliveNanos;
    private final long connectTimeoutMillis;
    /** The connection-level backstop on reads. */
    private final long idleMillis;
    private final ArrayDeque<BackendChannel> idle = new ArrayDeque<>();
    /** Every connection of this pool not closed yet, idle, lent or pinned (Netty drops one once it has closed). */
    private final ChannelGroup open;
    private ScheduledFuture<?> sweeper;
    private boolean closed;

    BackendPool(Backend backend, HttpClientAgent connector, ContextInternal context, long keepAliveMillis, long connectTimeoutMillis,
                long idleMillis) {
        this.idleMillis = idleMillis;
        this.backend = backend;
        this.connector = connector;
        this.context = context;
        this.keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(keepAliveMillis);
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.open = new DefaultChannelGroup("exgate backend " + backend.name(), context.nettyEventLoop());
    }

    /** The Vert.x client this pool connects with (a reload keeps the pool when it keeps the client). */
    HttpClientAgent connector() {
        return connector;
    }

    /** An idle connection at once (on the caller's stack), or a new one when it is connected. */
    void acquire(Acquirer acquirer) {
        BackendChannel channel;
        while ((channel = idle.pollFirst()) != null) {
            if (channel.isActive()) {
                acquirer.acquired(channel);
                return;
            }
        }
        connect(acquirer, true);
    }

    /** A connection that never enters the pool: a pinned client's own. */
    void connectUnpooled(Acquirer acquirer) {
        connect(acquirer, false);
    }

    private void connect(Acquirer acquirer, boolean pooled) {
        HttpConnectOptions options = new HttpConnectOptions().setHost(backend.host()).setPort(backend.port())
                .setSsl(backend.tls()).setConnectTimeout(connectTimeoutMillis);
        // Vert.x connects on the context it is called from: this event loop's, so that the backend
        // connection and the client connection share a thread and hand buffers over directly.
        context.runOnContext(v -> connector.connect(options).onComplete(ar -> {
            if (ar.failed()) {
                acquirer.acquireFailed(ar.cause());
                return;
            }
            BackendChannel channel;
            try {
                channel = BackendChannel.takeOver(pipeline(ar.result()), backend.name(), idleMillis);
            } catch (RuntimeException e) {
                ar.result().close();
                acquirer.acquireFailed(e);
                return;
            }
            open.add(channel.channel());
            if (pooled) {
                channel.onClose(() -> idle.remove(channel));
            }
            acquirer.acquired(channel);
        }));
    }

    /**
     * Closes every connection of this pool, idle or in use (at a stop, their clients are gone), and
     * completes once all have closed ({@link ChannelsClosed}): the event loop must not stop before.
     */
    Future<Void> stop() {
        Promise<Void> stopped = context.promise();
        context.runOnContext(v -> {
            closed = true;
            if (sweeper != null) {
                sweeper.cancel(false);
            }
            idle.clear();
            ChannelsClosed.of(context, open).onComplete(stopped);
        });
        return stopped.future();
    }

    /** Whether a connection of this pool has not closed yet. */
    boolean hasOpenConnections() {
        return !open.isEmpty();
    }

    /** Takes a connection back after an exchange that left it clean; anything else is closed. */
    void release(BackendChannel channel, boolean reusable) {
        if (!reusable || closed || !channel.isActive()) {
            channel.close();
            return;
        }
        channel.detach();
        channel.idleSinceNanos = System.nanoTime();
        idle.addFirst(channel);
        if (sweeper == null) {
            long every = Math.max(1_000_000_000L, keepAliveNanos / 4);
            sweeper = context.nettyEventLoop().scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.NANOSECONDS);
        }
    }

    /** Closes the connections idle longer than the keep-alive timeout (they are at the end of the deque). */
    private void sweep() {
        long now = System.nanoTime();
        while (!idle.isEmpty() && now - idle.peekLast().idleSinceNanos >= keepAliveNanos) {
            idle.pollLast().close();
        }
    }

    /** No more lending: idle connections close now, those in use when their exchange ends. */
    void close() {
        context.runOnContext(v -> {
            closed = true;
            if (sweeper != null) {
                sweeper.cancel(false);
            }
            for (Iterator<BackendChannel> it = idle.iterator(); it.hasNext(); ) {
                BackendChannel channel = it.next();
                it.remove();
                channel.close();
            }
        });
    }

    /** The Netty pipeline under Vert.x's handle on an un-pooled connection. */
    private static ChannelPipeline pipeline(HttpClientConnection connection) {
        try {
            Object actual = connection instanceof UnpooledHttpClientConnection ? ACTUAL.get(connection) : connection;
            return ((ConnectionBase) actual).channelHandlerContext().pipeline();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Field actualField() {
        try {
            Field f = UnpooledHttpClientConnection.class.getDeclaredField("actual");
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

package io.exgate.proxy.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * A write stream that counts the bytes passing through and tells the idle watch that the exchange is
 * alive. Everything else is delegated, so a {@link io.vertx.core.streams.Pipe} keeps its backpressure.
 */
final class MeteredWriteStream implements WriteStream<Buffer> {
    private final WriteStream<Buffer> delegate;
    private final IdleWatch watch;
    private long bytes;
    private boolean used;

    MeteredWriteStream(WriteStream<Buffer> delegate, IdleWatch watch) {
        this.delegate = delegate;
        this.watch = watch;
    }

    long bytes() {
        return bytes;
    }

    /** Whether anything, even only the end, was written: the head has gone with it then. */
    boolean used() {
        return used;
    }

    @Override
    public Future<Void> write(Buffer data) {
        bytes += data.length();
        used = true;
        watch.touch();
        return delegate.write(data);
    }

    @Override
    public Future<Void> end() {
        used = true;
        watch.touch();
        return delegate.end();
    }

    @Override
    public MeteredWriteStream exceptionHandler(Handler<Throwable> handler) {
        delegate.exceptionHandler(handler);
        return this;
    }

    @Override
    public MeteredWriteStream setWriteQueueMaxSize(int maxSize) {
        delegate.setWriteQueueMaxSize(maxSize);
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return delegate.writeQueueFull();
    }

    @Override
    public MeteredWriteStream drainHandler(Handler<Void> handler) {
        delegate.drainHandler(handler);
        return this;
    }
}

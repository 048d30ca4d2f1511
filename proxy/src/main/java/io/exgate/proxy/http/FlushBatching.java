package io.exgate.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;

/**
 * Batches the flushes of one connection that another connection's read causes. Vert.x defers a
 * connection's flushes while that connection itself is reading, but exgate writes to the client while
 * the backend reads, and to the backend while the client reads: without this each relayed chunk is a
 * flush of its own, that is a TLS record and a system call each. With it, the chunks of one read go out
 * together once the event loop has finished the read. Closing still flushes first.
 */
final class FlushBatching {
    static final String NAME = "exgateFlushBatching";

    private FlushBatching() {
    }

    /** Puts the batching right behind TLS (so that TLS sees one flush per batch too), or first on a plain connection. */
    static void install(ChannelPipeline pipeline) {
        if (pipeline.get(NAME) != null) {
            return;
        }
        FlushConsolidationHandler handler = new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
        ChannelHandlerContext tls = pipeline.context(SslHandler.class);
        if (tls != null) {
            pipeline.addAfter(tls.name(), NAME, handler);
        } else {
            pipeline.addFirst(NAME, handler);
        }
    }
}

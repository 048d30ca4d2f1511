package io.exgate.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * exgate's end of one backend connection. Vert.x opens it (TCP, TLS and its verification, SNI, connect
 * timeout), then this handler takes Vert.x's place in the pipeline: the backend's answer goes from
 * Netty's decoder straight to the exchange that uses the connection, with no Vert.x request object,
 * future or pipe between them.
 */
final class BackendChannel extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(BackendChannel.class);
    static final String NAME = "exgateBackend";

    /** Headers decoded into Vert.x's map: the engine copies and looks them up as a MultiMap. */
    private static final HttpHeadersFactory VERTX_HEADERS = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return HeadersMultiMap.httpHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return HeadersMultiMap.httpHeaders();
        }
    };

    /** What the exchange holding the connection hears from it. */
    interface User {
        void backendHead(HttpResponse head);

        /** A piece of the answer's body; a {@link LastHttpContent} ends it. The user owns the message. */
        void backendContent(HttpContent content);

        /** The backend's read batch ended: what was written to the client may be flushed now. */
        void backendReadComplete();

        /** The connection closed (or failed) while this user held it. */
        void backendClosed(Throwable cause);

        void backendWritabilityChanged(boolean writable);
    }

    private final String backendName;
    private ChannelHandlerContext ctx;
    private User user;
    /** A 1xx head was read: the empty end Netty's decoder gives it is not the answer's end. */
    private boolean informational;
    /** Called once when the connection closes, whoever held it (pool bookkeeping, pinned client). */
    private Runnable onClose;
    private Throwable failure;
    /** When this connection went back to its pool, for the keep-alive timeout. */
    long idleSinceNanos;

    private BackendChannel(String backendName) {
        this.backendName = backendName;
    }

    /**
     * Replaces Vert.x's codec and handler on a connection it has just opened: the codec with one that
     * decodes headers into Vert.x's map (so they are copied as they are looked up), the handler with this.
     */
    static BackendChannel takeOver(ChannelPipeline pipeline, String backendName, long idleMillis) {
        BackendChannel channel = new BackendChannel(backendName);
        LeanPipeline.apply(pipeline, idleMillis);
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(16 * 1024)
                .setMaxHeaderSize(BackendClients.MAX_HEADER_SIZE)
                .setHeadersFactory(VERTX_HEADERS)
                .setTrailersFactory(VERTX_HEADERS);
        pipeline.replace("codec", "codec", new BackendCodec(decoder));
        pipeline.replace("handler", NAME, channel);
        return channel;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    Channel channel() {
        return ctx.channel();
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    boolean isActive() {
        return ctx.channel().isActive();
    }

    void onClose(Runnable onClose) {
        this.onClose = onClose;
    }

    void attach(User user) {
        this.user = user;
        informational = false;
    }

    void detach() {
        user = null;
        ctx.channel().config().setAutoRead(true);
    }

    void close() {
        ctx.channel().close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        User u = user;
        if (u == null) {
            // Nothing is asked of an idle connection: bytes now are a protocol error (or a stray end).
            ReferenceCountUtil.release(msg);
            if (msg != LastHttpContent.EMPTY_LAST_CONTENT) {
                LOG.debug("backend {}: unexpected bytes on an idle connection, closing it", backendName);
                ctx.close();
            }
            return;
        }
        if (msg instanceof HttpResponse head) {
            if (!head.decoderResult().isSuccess()) {
                ReferenceCountUtil.release(msg);
                failure = new java.io.IOException("malformed answer: " + head.decoderResult().cause().getMessage());
                ctx.close();
                return;
            }
            informational = head.status().code() < 200;
            u.backendHead(head);
            if (msg instanceof HttpContent content) {
                u.backendContent(content);
            }
        } else if (msg instanceof HttpContent content) {
            if (!content.decoderResult().isSuccess()) {
                content.release();
                failure = new java.io.IOException("malformed answer body: " + content.decoderResult().cause().getMessage());
                ctx.close();
                return;
            }
            if (informational) {
                content.release(); // the end of a 100 Continue: the real answer follows
                if (content instanceof LastHttpContent) {
                    informational = false;
                }
                return;
            }
            u.backendContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        User u = user;
        if (u != null) {
            u.backendReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        User u = user;
        if (u != null) {
            u.backendWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && user == null) {
            // Nothing read for the backstop's time and no exchange on it: a pinned connection left idle.
            // (An exchange's own idle watch decides about the connection it uses.)
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("backend {}: connection failed: {}", backendName, cause.toString());
        if (failure == null) {
            failure = cause;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        User u = user;
        user = null;
        if (onClose != null) {
            Runnable r = onClose;
            onClose = null;
            r.run();
        }
        if (u != null) {
            u.backendClosed(failure);
        }
    }
}

package io.exgate.proxy.http;

import io.exgate.routing.Backend;
import io.exgate.routing.RequestTarget;
import io.exgate.routing.RoutingDecision;
import io.exgate.routing.VirtualDirectory;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.util.ArrayDeque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.x request relayed to one backend by Netty handlers alone: the head rewritten for the
 * backend, the body passed on buffer by buffer as it is read, the answer's head rewritten for the
 * client and its body passed back the same way. A side that cannot take more stops the other side's
 * reads until it can, so nothing is buffered whole; 1 GiB RPC channels and trickling NotificationWait
 * answers pass as they come. The rules are those of the HTTP/2 path ({@link ProxyExchange}).
 */
final class RelayExchange implements BackendPool.Acquirer, BackendChannel.User {
    private static final Logger LOG = LoggerFactory.getLogger(RelayExchange.class);
    /** Set by exgate itself; whatever the client sent under these names is replaced. */
    private static final CharSequence[] REPLACED = {io.vertx.core.http.HttpHeaders.createOptimized("X-Forwarded-For"),
        io.vertx.core.http.HttpHeaders.createOptimized("X-Forwarded-Proto"), io.vertx.core.http.HttpHeaders.createOptimized("X-Forwarded-Host"),
        io.vertx.core.http.HttpHeaders.createOptimized(RequestIds.HEADER)};
    private static final CharSequence[] NONE = {};

    /** How the exchange reaches its backend. */
    enum Link {
        /** A connection lent by the backend's pool. */
        POOLED,
        /** NTLM or Negotiate starts: the client connection gets a backend connection of its own. */
        NEW_PIN,
        /** The client connection's own backend connection, whatever the router would say. */
        PINNED
    }

    private final Http1Relay relay;
    private final RelayRoutes routes;
    /**
     * The client's header map until it has gone on to the backend, then null: an RPC channel or a long
     * poll lives for hours and need not keep it (a Negotiate token alone can be kilobytes).
     */
    private MultiMap headers;
    /**
     * What an answer of exgate's own needs of the head, kept after it has gone; taken before the head is
     * rewritten for the backend (which removes the client's Connection header).
     */
    private final Http1Relay.Asked asked;
    private final String requestId;
    private final RequestTarget target;
    private final VirtualDirectory vdir;
    private final Link link;
    private final RequestLog log;
    private final IdleWatch watch;
    private final boolean expectsContinue;
    private RoutingDecision decision;
    private Backend counted;
    private BackendChannel backend;
    private BackendPool pool;
    /** Body read before the backend connection was ready (at most one read's worth: reads pause meanwhile). */
    private ArrayDeque<HttpContent> early;
    private boolean connecting;
    /** This exchange paused the client's reads while its backend connection is made. */
    private boolean pausedReads;
    private boolean requestEnded;
    private boolean responding;
    private boolean backendDone;
    private boolean backendKeepAlive;
    private boolean closeClient;
    private boolean finished;
    private boolean backendDirty;
    private boolean clientDirty;
    private int status;
    private long requestBytes;
    private long responseBytes;

    RelayExchange(Http1Relay relay, RelayRoutes routes, HttpRequest head, MultiMap headers, String requestId, RequestTarget target,
                  VirtualDirectory vdir, RoutingDecision decision, Link link, RequestLog log) {
        this.relay = relay;
        this.routes = routes;
        this.headers = headers;
        this.asked = Http1Relay.Asked.of(head);
        this.requestId = requestId;
        this.target = target;
        this.vdir = vdir;
        this.decision = decision;
        this.link = link;
        this.log = log;
        this.expectsContinue = headers.contains(HeaderNames.EXPECT, "100-continue", true);
        this.watch = new IdleWatch(relay.ctx.executor(), routes.idleMillis(), this::onIdle);
    }

    boolean finished() {
        return finished;
    }

    void start() {
        connect();
    }

    private void connect() {
        Backend b = decision.backend();
        log.decision(decision);
        log.backendStarted(routes.router().outstanding().of(b));
        count(b);
        connecting = true;
        if (link == Link.PINNED) {
            acquired(relay.pin.connection);
            return;
        }
        pool = routes.pools().get(b.name());
        if (pool == null) {
            // A reload removed the backend this client connection was challenged by.
            acquireFailed(new java.net.ConnectException("backend " + b.name() + " is no longer configured"));
            return;
        }
        if (link == Link.NEW_PIN) {
            pool.connectUnpooled(this);
        } else {
            pool.acquire(this);
        }
        if (connecting) {
            relay.pause(Http1Relay.PAUSE_CONNECTING);
            pausedReads = true;
        }
    }

    /** Only this exchange's own pause is lifted: a late connect of an exchange given up must not lift its successor's. */
    private void resumeReads() {
        if (pausedReads) {
            pausedReads = false;
            relay.resume(Http1Relay.PAUSE_CONNECTING);
        }
    }

    /** Keeps the backend's in-flight count right: one request counts once, on the backend it is on. */
    private void count(Backend b) {
        release();
        counted = b;
        routes.router().outstanding().started(b);
    }

    private void release() {
        if (counted != null) {
            routes.router().outstanding().ended(counted);
            counted = null;
        }
    }

    @Override
    public void acquired(BackendChannel channel) {
        connecting = false;
        resumeReads();
        if (finished) {
            if (link == Link.POOLED) {
                pool.release(channel, true); // nothing was sent on it
            } else if (link == Link.NEW_PIN) {
                channel.close();
            }
            return;
        }
        if (link == Link.NEW_PIN) {
            if (!channel.isActive()) {
                // Closed before it could be pinned: a pin on it would never hear of its close.
                fail(new BackendFailure(502, "Bad Gateway", "connection closed before a complete answer"));
                return;
            }
            relay.pinned(channel, decision.backend(), routes);
        }
        backend = channel;
        channel.attach(this);
        log.backendReady();
        toBackend(backendHead());
        if (early != null) {
            HttpContent content;
            while ((content = early.poll()) != null) {
                toBackend(content);
            }
        }
        checkBackendWritable();
    }

    @Override
    public void acquireFailed(Throwable cause) {
        connecting = false;
        resumeReads();
        if (finished) {
            return;
        }
        Backend b = decision.backend();
        boolean beforeSending = BackendFailure.beforeSending(cause);
        if (beforeSending) {
            routes.health().recordPassive(b, vdir, true);
        }
        Optional<RoutingDecision> next = link != Link.PINNED && beforeSending ? routes.router().retry(decision) : Optional.empty();
        if (next.isPresent()) {
            // Nothing was sent yet, so moving on cannot replay anything.
            LOG.warn("request {} {} {}: connecting to {} failed ({}), trying {}", requestId, asked.method(), target.path(), b.name(),
                    BackendFailure.of(cause).phrase(), next.get().backend().name());
            log.info("ConnectFailed", b.name() + " " + BackendFailure.of(cause).phrase());
            decision = next.get();
            connect();
        } else {
            fail(BackendFailure.of(cause));
        }
    }

    /** The client's head, rewritten in place for the backend (the log took its fields when the request arrived). */
    private HttpRequest backendHead() {
        MultiMap out = headers;
        boolean chunked = out.contains(HeaderNames.TRANSFER_ENCODING, "chunked", true);
        HopByHopHeaders.strip(out, REPLACED);
        out.set("X-Forwarded-For", relay.clientAddress);
        out.set("X-Forwarded-Proto", "https");
        String host = headers.get(HeaderNames.HOST);
        if (host != null) {
            out.set("X-Forwarded-Host", host);
        } else {
            // An HTTP/1.0 client may leave Host out; the backend speaks HTTP/1.1 and needs one.
            Backend b = decision.backend();
            out.set("Host", b.port() == (b.tls() ? 443 : 80) ? b.host() : b.host() + ":" + b.port());
        }
        out.set(RequestIds.HEADER, requestId);
        if (chunked) {
            out.set("Transfer-Encoding", "chunked");
        }
        HttpRequest rewritten = new DefaultHttpRequest(HttpVersion.HTTP_1_1, asked.method(), target.originForm(), (HeadersMultiMap) out);
        headers = null;
        return rewritten;
    }

    /** A piece of the client's body (a {@link LastHttpContent} ends it); this exchange owns it now. */
    void clientContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestEnded = true;
        }
        requestBytes += content.content().readableBytes();
        watch.touch();
        if (!content.decoderResult().isSuccess()) {
            content.release();
            // The client broke its body: the backend must not see a truncated request complete, and nothing
            // after it on the client connection can be read.
            if (finished) {
                closeBackend();
                relay.closeNow();
            } else {
                abort("client request body failed: " + content.decoderResult().cause().getMessage());
            }
            return;
        }
        if (backend == null) {
            if (finished) {
                content.release();
            } else {
                if (early == null) {
                    early = new ArrayDeque<>(4);
                }
                early.add(content);
            }
            return;
        }
        toBackend(content);
        checkBackendWritable();
        if (last) {
            releaseBackendIfDone();
        }
    }

    void clientReadComplete() {
        if (backendDirty) {
            backendDirty = false;
            if (backend != null) {
                backend.context().flush();
            }
        }
    }

    private void toBackend(Object msg) {
        ChannelHandlerContext ctx = backend.context();
        if (relay.reading) {
            // Flushed once the client's read ends: head and body leave together.
            ctx.write(msg, ctx.voidPromise());
            backendDirty = true;
        } else {
            ctx.writeAndFlush(msg, ctx.voidPromise());
        }
    }

    private void checkBackendWritable() {
        if (backend != null && !backend.channel().isWritable()) {
            relay.pause(Http1Relay.PAUSE_BACKPRESSURE);
        }
    }

    @Override
    public void backendWritabilityChanged(boolean writable) {
        if (writable) {
            relay.resume(Http1Relay.PAUSE_BACKPRESSURE);
        }
    }

    void clientWritabilityChanged(boolean writable) {
        if (writable && backend != null) {
            backend.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void backendHead(HttpResponse in) {
        int code = in.status().code();
        if (code < 200) {
            if (code == 100 && expectsContinue && !responding && !finished && asked.version() != HttpVersion.HTTP_1_0) {
                // Relayed, not invented: the client gets "HTTP/1.1 100 Continue" when the backend says so.
                toClient(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            }
            return;
        }
        if (finished) {
            return;
        }
        try {
            relayHead(in, code);
        } catch (RuntimeException e) {
            // A bug here must not leave the client waiting for an answer that never comes.
            LOG.error("request {} {} {}: relaying the answer failed", requestId, asked.method(), target.path(), e);
            abort("relaying the answer failed: " + e);
        }
    }

    private void relayHead(HttpResponse in, int code) {
        MultiMap inHeaders = (MultiMap) in.headers();
        log.backendAnswered(code);
        routes.health().recordPassive(decision.backend(), vdir, code >= 500);
        responding = true;
        status = code;
        if (link == Link.POOLED && ConnectionBoundAuth.offered(code, inHeaders)) {
            relay.challengedBy(decision.backend());
        }
        backendKeepAlive = HttpUtil.isKeepAlive(in);
        // The backend's head is rewritten in place and forwarded: no copy of its fields.
        MultiMap out = inHeaders;
        HopByHopHeaders.strip(out, NONE);
        if (!out.contains(RequestIds.HEADER)) {
            out.set(RequestIds.HEADER, requestId);
        }
        if (decision.setCookie() != null) {
            out.add("Set-Cookie", decision.setCookie() + "; Path=/; Secure; HttpOnly");
        }
        watch.pendingPeriod(decision.classification().protocol(), inHeaders.get(HeaderNames.X_PENDING_PERIOD));
        HttpVersion version = asked.version();
        // A pinned backend connection that ends ends the pinned pair: the client hears it in this answer.
        closeClient = relay.draining || !asked.keepAlive() || (link != Link.POOLED && !backendKeepAlive);
        boolean bodyAllowed = asked.method() != HttpMethod.HEAD && code != 204 && code != 304;
        if (bodyAllowed && !inHeaders.contains(HeaderNames.CONTENT_LENGTH)) {
            if (version == HttpVersion.HTTP_1_0) {
                closeClient = true; // the end of the connection ends the body
            } else {
                out.set("Transfer-Encoding", "chunked");
            }
        }
        if (closeClient) {
            out.set("Connection", "close");
        } else if (version == HttpVersion.HTTP_1_0) {
            out.set("Connection", "keep-alive");
        }
        toClient(new DefaultHttpResponse(version, in.status(), (HeadersMultiMap) out));
    }


    @Override
    public void backendContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (last) {
            backendDone = true;
        }
        if (finished || !responding) {
            content.release();
            if (last) {
                releaseBackendIfDone();
            }
            return;
        }
        responseBytes += content.content().readableBytes();
        watch.touch();
        if (last) {
            complete(relay.ctx.writeAndFlush(content));
            return;
        }
        toClient(content);
        if (!relay.ctx.channel().isWritable()) {
            backend.channel().config().setAutoRead(false);
        }
    }

    private void toClient(Object msg) {
        // Everything for the client comes from a backend read: flushed when that read ends.
        relay.ctx.write(msg, relay.ctx.voidPromise());
        clientDirty = true;
    }

    @Override
    public void backendReadComplete() {
        if (clientDirty) {
            clientDirty = false;
            relay.ctx.flush();
        }
    }

    private void complete(ChannelFuture lastWritten) {
        clientDirty = false;
        finished = true;
        watch.stop();
        release();
        endLog(status);
        boolean exhausted = link != Link.POOLED && relay.pin != null && routes.pins().exhausted(relay.pin);
        if (closeClient || exhausted) {
            // A cap on the pinned pair was reached: the client authenticates again on a new connection.
            relay.closing(lastWritten);
        }
        resumeReads();
        releaseBackendIfDone();
        relay.exchangeEnded(this);
    }

    /** Once the backend has answered and has the whole request, its connection is free again. */
    private void releaseBackendIfDone() {
        if (backend == null || !backendDone || !requestEnded || !finished) {
            return;
        }
        BackendChannel b = backend;
        backend = null;
        if (backendDirty) {
            backendDirty = false;
            b.context().flush(); // the body's last bytes, written in this client read
        }
        relay.resume(Http1Relay.PAUSE_BACKPRESSURE);
        if (link == Link.POOLED) {
            pool.release(b, backendKeepAlive);
        } else {
            b.detach();
            if (!backendKeepAlive) {
                b.close(); // the pinned pair ends with it
            }
        }
    }

    private void closeBackend() {
        BackendChannel b = backend;
        backend = null;
        resumeReads();
        relay.resume(Http1Relay.PAUSE_BACKPRESSURE); // the rest of the body is read and dropped
        if (b != null) {
            b.close();
        }
        if (early != null) {
            early.forEach(HttpContent::release);
            early.clear();
        }
    }

    @Override
    public void backendClosed(Throwable cause) {
        backend = null;
        relay.resume(Http1Relay.PAUSE_BACKPRESSURE); // the rest of the body is read and dropped
        if (finished) {
            return;
        }
        if (!responding) {
            fail(cause == null ? new BackendFailure(502, "Bad Gateway", "connection closed before a complete answer") : BackendFailure.of(cause));
        } else {
            abort("the backend closed the connection before the answer was complete");
        }
    }

    private void endLog(int status) {
        log.bytes(requestBytes, responseBytes);
        log.end(status);
    }

    private void onIdle() {
        if (finished) {
            return;
        }
        if (!responding) {
            fail(BackendFailure.idle(watch.idleMillis()));
        } else {
            abort("idle for " + watch.idleMillis() + " ms while streaming the answer");
        }
    }

    /** The client connection closed. */
    void clientGone() {
        if (!finished) {
            finished = true;
            watch.stop();
            release();
            log.error("ClientDisconnected", "the client closed the connection before the answer was complete");
            endLog(responding ? status : 0);
        }
        closeBackend();
    }

    /** No answer can be given any more: both connections are cut so that neither side waits forever. */
    private void abort(String why) {
        if (finished) {
            return;
        }
        finished = true;
        watch.stop();
        release();
        LOG.warn("request {} {} {} via {}: aborted, {}", requestId, asked.method(), target.path(), decision.backend().name(), why);
        log.error("Aborted", why);
        endLog(responding ? status : 0);
        closeBackend();
        relay.closeNow();
    }

    /** The backend could not be used: the client gets 502 or 504 if no answer has started yet. */
    private void fail(BackendFailure failure) {
        if (finished) {
            return;
        }
        finished = true;
        watch.stop();
        release();
        LOG.warn("request {} {} {} via {} ({}): {} {}", requestId, asked.method(), target.path(), decision.backend().name(),
                decision.backend().url(), failure.status(), failure.phrase());
        closeBackend();
        log.error(failure.status() == 504 ? "BackendTimeout" : "BackendUnreachable", failure.phrase());
        endLog(responding ? status : failure.status());
        if (responding) {
            relay.closeNow();
        } else {
            String sentence = failure.status() == 504 ? "The mail server did not answer in time." : "The mail server could not be reached.";
            relay.answer(asked, failure.status(), failure.reason(), sentence, requestId, !asked.keepAlive());
        }
        relay.exchangeEnded(this);
    }
}

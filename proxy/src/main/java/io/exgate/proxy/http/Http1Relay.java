package io.exgate.proxy.http;

import io.exgate.health.HealthcheckPage;
import io.exgate.routing.RoutingDecision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.net.impl.ShutdownEvent;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.x engine of one client connection, in Vert.x's place in its pipeline (after exgate's
 * guarded decoder): it reads each request, answers what exgate answers itself, places the rest with the
 * router and relays it through a {@link RelayExchange}, one request at a time (pipelined requests wait
 * their turn). A connection that starts NTLM or Negotiate keeps its {@link ClientPin} here.
 */
final class Http1Relay extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Http1Relay.class);
    static final String NAME = "exgateRelay";

    static final int PAUSE_PIPELINED = 1;
    static final int PAUSE_BACKPRESSURE = 2;
    static final int PAUSE_CONNECTING = 4;

    private final Supplier<RelayRoutes> routes;
    final String clientAddress;
    ChannelHandlerContext ctx;
    /** Inside this connection's read: writes to the backend wait for the read's end to be flushed. */
    boolean reading;
    private RelayExchange exchange;
    /** Between a request's head and its last content. */
    private boolean requestOpen;
    /** Messages of the next request, read while the current one is still answered. */
    private ArrayDeque<Object> queued;
    private int paused;
    /** exgate is stopping: the current answer is the last on this connection. */
    boolean draining;
    /**
     * An answer that ends the connection has been written: whatever the decoder still produces (a
     * pipelined or smuggled request behind it) is dropped, never relayed.
     */
    private boolean closing;
    ClientPin pin;

    Http1Relay(Supplier<RelayRoutes> routes, String clientAddress) {
        this.routes = routes;
        this.clientAddress = clientAddress;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (queued != null && !queued.isEmpty() || (exchange != null && !requestOpen)) {
            if (queued == null) {
                queued = new ArrayDeque<>(4);
            }
            queued.add(msg);
            pause(PAUSE_PIPELINED);
            return;
        }
        dispatch(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        RelayExchange current = exchange;
        if (current != null) {
            current.clientReadComplete();
        }
        ctx.fireChannelReadComplete();
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest head) {
            requestOpen = true;
            if (!head.decoderResult().isSuccess()) {
                refuse(head);
                return;
            }
            begin(head);
        } else if (msg instanceof HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            if (last) {
                requestOpen = false;
            }
            RelayExchange current = exchange;
            if (current != null) {
                current.clientContent(content);
            } else {
                content.release(); // the body of a request exgate has answered itself
            }
            if (last) {
                next();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Called by the exchange when its answer is complete (or given up). */
    void exchangeEnded(RelayExchange ended) {
        if (ended == exchange && !requestOpen) {
            next();
        }
    }

    /** When the current exchange is over on both sides, the next queued request starts. */
    private void next() {
        if (exchange != null && (!exchange.finished() || requestOpen)) {
            return;
        }
        exchange = null;
        // No exchange holds the connection's reads any more: whatever paused them for it is over.
        resume(PAUSE_BACKPRESSURE | PAUSE_CONNECTING);
        if (!ctx.channel().isActive() || closing) {
            return;
        }
        if (draining && !requestOpen) {
            closeAfterWrites();
            return;
        }
        while (queued != null && !queued.isEmpty() && !(exchange != null && !requestOpen) && !closing) {
            dispatch(queued.poll());
        }
        if (closing && queued != null) {
            queued.forEach(ReferenceCountUtil::release);
            queued.clear();
        }
        if (queued == null || queued.isEmpty()) {
            resume(PAUSE_PIPELINED);
        }
    }

    /** The last answer on this connection is being written: nothing read from now on is relayed. */
    void closing(ChannelFuture lastWrite) {
        closing = true;
        lastWrite.addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes once what is already written has left, so that an answer is never cut short. */
    void closeAfterWrites() {
        closing(ctx.writeAndFlush(Unpooled.EMPTY_BUFFER));
    }

    /** Closes at once: no answer can be completed any more. */
    void closeNow() {
        closing = true;
        ctx.close();
    }

    private void begin(HttpRequest head) {
        RelayRoutes r = routes.get();
        MultiMap headers = (MultiMap) head.headers();
        String requestId = RequestIds.of(headers.get(RequestIds.HEADER));
        Admission admission = Admission.of(new Admission.Request(head.method().name(), head.uri(), headers, "", requestId, clientAddress,
                false), r.router(), r.logSink(), r.healthcheckPage());
        if (admission instanceof Admission.Refused refused) {
            answer(Asked.of(head), refused.status(), refused.reason(), refused.sentence(), requestId, refused.close());
            return;
        }
        if (admission instanceof Admission.Healthcheck healthcheck) {
            healthcheck(Asked.of(head), healthcheck.answer(), requestId);
            return;
        }
        Admission.Routed routed = (Admission.Routed) admission;
        RoutingDecision decision = routed.decision();
        RequestLog log = routed.log();
        boolean bound = routed.bound();
        RelayExchange.Link link;
        if (pin != null && pin.isPinned()) {
            decision = decision.boundTo(pin.backend, RoutingDecision.Reason.PINNED);
            link = RelayExchange.Link.PINNED;
        } else if (bound) {
            if (r.pins().overCap(clientAddress)) {
                LOG.warn("request {} from {}: 503, pinning.max-per-client reached for this address", requestId, clientAddress);
                answer(Asked.of(head), 503, "Service Unavailable", "Too many authenticated connections from this address.", requestId, false);
                log.error("PinningCapReached", "pinning.max-per-client");
                log.end(503);
                return;
            }
            if (pin == null) {
                pin = new ClientPin(clientAddress);
            }
            if (pin.challenger != null) {
                // The backend that issued the challenge must see the answer.
                decision = decision.boundTo(pin.challenger, RoutingDecision.Reason.CHALLENGE);
            }
            link = RelayExchange.Link.NEW_PIN;
        } else {
            link = RelayExchange.Link.POOLED;
        }
        exchange = new RelayExchange(this, r, head, headers, requestId, routed.target(), routed.vdir(), decision, link, log);
        exchange.start();
    }

    /** The pinned backend connection this client connection now owns; its close closes the client. */
    void pinned(BackendChannel connection, io.exgate.routing.Backend backend, RelayRoutes r) {
        if (pin.closing || !ctx.channel().isActive()) {
            connection.close();
            return;
        }
        r.pins().pinned(pin, connection, backend);
        ClientPin owner = pin;
        connection.onClose(() -> {
            if (!owner.closing) {
                // Never move an authenticated client to another, unauthenticated connection: it must start over.
                LOG.info("pinned backend connection to {} closed: closing client connection from {}", backend.name(), clientAddress);
                closeAfterWrites();
            }
        });
    }

    /** A 401 offering NTLM or Negotiate from a pooled connection: this client's answer must go to that backend. */
    void challengedBy(io.exgate.routing.Backend backend) {
        if (pin == null) {
            pin = new ClientPin(clientAddress);
        }
        pin.challenger = backend;
    }

    private void healthcheck(Asked asked, HealthcheckPage.Answer answer, String requestId) {
        byte[] body = answer.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HeadersMultiMap headers = HeadersMultiMap.httpHeaders();
        headers.set("Content-Type", answer.contentType());
        headers.set("Cache-Control", "no-cache, no-store");
        headers.set(RequestIds.HEADER, requestId);
        write(asked, answer.status(), null, headers, body, false);
    }

    /**
     * exgate's own answer: a status, one sentence and the request id. A request whose body was not read
     * (or {@code close}) closes the connection afterwards, since unread bytes would be taken for the next request.
     */
    void answer(Asked asked, int status, String reason, String sentence, String requestId, boolean close) {
        String body = status + " " + reason + "\r\n" + sentence + "\r\nRequest id: " + requestId + "\r\n";
        HeadersMultiMap headers = HeadersMultiMap.httpHeaders();
        headers.set("Content-Type", "text/plain; charset=utf-8");
        headers.set("Cache-Control", "no-store");
        headers.set(RequestIds.HEADER, requestId);
        boolean unreadBody = requestOpen && asked.announcesBody();
        write(asked, status, reason, headers, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), close || unreadBody);
    }

    private void write(Asked asked, int status, String reason, HeadersMultiMap headers, byte[] body, boolean close) {
        boolean keepAlive = !close && !draining && asked.keepAlive();
        HttpVersion version = asked.version();
        if (!keepAlive) {
            headers.set("Connection", "close");
        } else if (version == HttpVersion.HTTP_1_0) {
            headers.set("Connection", "keep-alive");
        }
        headers.set("Content-Length", String.valueOf(body.length));
        ByteBuf content = asked.method() == HttpMethod.HEAD ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        HttpResponseStatus s = reason == null ? HttpResponseStatus.valueOf(status) : new HttpResponseStatus(status, reason);
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(version, s, content, headers, HeadersMultiMap.httpHeaders());
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            closing(written);
        }
    }

    /**
     * What exgate's own answer to a request must know of it, taken from its head: an exchange keeps this,
     * not the head, once the head has gone on to the backend.
     */
    record Asked(HttpMethod method, HttpVersion version, boolean keepAlive, boolean announcesBody) {
        static Asked of(HttpRequest head) {
            return new Asked(head.method(), head.protocolVersion(), Http1Relay.keepAlive(head), Http1Relay.announcesBody((MultiMap) head.headers()));
        }
    }

    /** Whether the client wants the connection kept after this request (HTTP/1.1 unless close; HTTP/1.0 only if asked). */
    private static boolean keepAlive(HttpRequest head) {
        MultiMap headers = (MultiMap) head.headers();
        if (head.protocolVersion() == HttpVersion.HTTP_1_0) {
            return headers.contains("Connection", "keep-alive", true);
        }
        return !headers.contains("Connection", "close", true);
    }

    /** A body follows the head: a Content-Length above 0, or chunked (ErrorResponse asks it of Vert.x requests too). */
    static boolean announcesBody(MultiMap headers) {
        String length = headers.get(HeaderNames.CONTENT_LENGTH);
        return (length != null && !length.equals("0")) || headers.contains(HeaderNames.TRANSFER_ENCODING, "chunked", true);
    }

    /** A head the decoder refused: answered with a status and closed; nothing behind it is read. */
    private void refuse(HttpRequest head) {
        Throwable cause = head.decoderResult().cause();
        InvalidRequests.Refusal refusal = InvalidRequests.refusal(cause);
        if (refusal == null) {
            closeNow();
            return;
        }
        String requestId = InvalidRequests.record(routes.get().meters(), refusal, cause, clientAddress);
        HeadersMultiMap headers = HeadersMultiMap.httpHeaders();
        headers.set("Content-Type", "text/plain; charset=utf-8");
        headers.set("Cache-Control", "no-store");
        headers.set(RequestIds.HEADER, requestId);
        headers.set("Connection", "close");
        byte[] body = refusal.body(requestId).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        headers.set("Content-Length", String.valueOf(body.length));
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                new HttpResponseStatus(refusal.status(), refusal.phrase()), Unpooled.wrappedBuffer(body), headers, HeadersMultiMap.httpHeaders());
        closing(ctx.writeAndFlush(response));
    }

    void pause(int reason) {
        boolean was = paused == 0;
        paused |= reason;
        if (was) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    void resume(int reason) {
        if ((paused & reason) == 0) {
            return;
        }
        paused &= ~reason;
        if (paused == 0 && ctx.channel().isActive()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        RelayExchange current = exchange;
        if (current != null) {
            current.clientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ShutdownEvent) {
            // exgate is stopping: an idle connection closes now, a busy one after its current answer.
            draining = true;
            if (exchange == null && !requestOpen) {
                ctx.close();
            }
        } else if (evt instanceof IdleStateEvent && (exchange == null || exchange.finished())) {
            // Nothing read for the backstop's time between requests, or in a body whose answer is already
            // given. (An exchange's own idle watch decides about a connection it uses while it answers: an
            // RPC OUT channel reads nothing from its client for hours.)
            closeNow();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client connection from {}: {}", clientAddress, cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        RelayExchange current = exchange;
        exchange = null;
        if (current != null) {
            current.clientGone();
        }
        if (queued != null) {
            queued.forEach(ReferenceCountUtil::release);
            queued.clear();
        }
        if (pin != null) {
            routes.get().pins().unpin(pin);
        }
        ctx.fireChannelInactive();
    }
}

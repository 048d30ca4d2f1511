package io.exgate.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x's HTTP/1.x request decoder with the checks Netty leaves out, because each is a request
 * smuggling or exhaustion vector in front of IIS:
 * <ul>
 * <li>Transfer-Encoding together with Content-Length (Netty drops Content-Length and reads chunked;
 *     a backend or a proxy in between may read the other framing);</li>
 * <li>obsolete line folding (Netty unfolds it; other parsers treat the line as a new field);</li>
 * <li>more header fields than {@code limits.max-header-count};</li>
 * <li>a header section that takes longer than {@code timeouts.request-header} from its first byte
 *     (slowloris).</li>
 * </ul>
 * A refused request goes up the pipeline with a failed decoder result, so that exgate's
 * invalid-request handler answers it (400, 431 or 408) in order and closes the connection.
 * Bytes after a refused head are discarded: nothing behind it is ever taken for a request.
 */
final class GuardedRequestDecoder extends VertxHttpRequestDecoder {
    private final int maxHeaderCount;
    private final long headerTimeoutNanos;

    // The header-section scan, kept across reads: the head may arrive a byte at a time.
    private boolean inHead = true;
    /** A byte of the next head has arrived: from then on the header timer runs. */
    private boolean headStarted;
    /** Until the decoder has produced this request's head: what the header timer guards. */
    private boolean awaitingHead = true;
    /** Netty skips control characters and whitespace before a request line; so does the scan. */
    private boolean requestLineStarted;
    private boolean atLineStart = true;
    private boolean lineEmpty = true;
    private boolean sawLine;
    private int lines;
    private int scanned;
    private RefusedRequestException refusal;

    private boolean discarding;
    private ChannelHandlerContext context;
    private ScheduledFuture<?> headerTimer;
    private long headGeneration;

    private final ClientConnections connections;

    GuardedRequestDecoder(HttpServerOptions options, int maxHeaderCount, long headerTimeoutMillis, ClientConnections connections) {
        super(options);
        this.connections = connections;
        this.maxHeaderCount = maxHeaderCount;
        this.headerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (discarding) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        if (inHead && refusal == null) {
            scanHead(buffer);
        }
        if (awaitingHead && buffer.isReadable()) {
            headStarted = true;
        }
        int before = buffer.readerIndex();
        int from = out.size();
        super.decode(ctx, buffer, out);
        scanned = Math.max(0, scanned - (buffer.readerIndex() - before));
        for (int i = from; i < out.size(); i++) {
            Object message = out.get(i);
            if (message instanceof HttpRequest request) {
                headComplete(request);
                DecoderScratch.shrink(this);
            }
            if (message instanceof LastHttpContent) {
                nextHead();
                DecoderScratch.shrink(this); // trailers are parsed in it too
            }
        }
        // Armed only for a head still incomplete after this read: the usual head arrives whole, and a
        // timer scheduled and cancelled for each one showed in profiles.
        if (awaitingHead && headStarted && !discarding && headerTimer == null) {
            long generation = headGeneration;
            headerTimer = ctx.executor().schedule(() -> headerTimedOut(generation), headerTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (discarding) {
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decodeLast(ctx, in, out);
    }

    /** The names every Exchange client sends come made once ({@link HeaderNames}); Vert.x knows four more. */
    @Override
    protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
        AsciiString known = HeaderNames.REQUEST.known(sb, start, length);
        return known != null ? known : super.splitHeaderName(sb, start, length);
    }

    /** Only HTTP/1.0 and HTTP/1.1 heads: Netty takes any {@code X/d.d}, and Vert.x would echo it in a 501. */
    @Override
    protected HttpMessage createMessage(String[] initialLine) {
        String version = initialLine[2];
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            boolean wellFormed = version.length() == 8 && version.startsWith("HTTP/") && Character.isDigit(version.charAt(5))
                    && version.charAt(6) == '.' && Character.isDigit(version.charAt(7));
            throw new RefusedRequestException(wellFormed ? RefusedRequestException.Reason.VERSION_NOT_SUPPORTED
                    : RefusedRequestException.Reason.MALFORMED_VERSION, wellFormed ? "only HTTP/1.0 and HTTP/1.1 are spoken here"
                    : "the request line does not end in an HTTP version");
        }
        return super.createMessage(initialLine);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        // Thrown inside Netty's header parsing, which turns it into a failed request (answered 400).
        throw new RefusedRequestException(RefusedRequestException.Reason.AMBIGUOUS_FRAMING,
                "both Transfer-Encoding and Content-Length");
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        super.handlerRemoved0(ctx);
    }

    /** Looks at the head bytes not yet scanned, up to the empty line that ends the header section. */
    private void scanHead(ByteBuf buffer) {
        int from = buffer.readerIndex() + scanned;
        int end = buffer.writerIndex();
        if (from >= end) {
            return;
        }
        int stop = scanLines(buffer, from, end);
        scanned += (stop < 0 ? end : stop + 1) - from;
    }

    /**
     * Line by line rather than byte by byte: the end of each line is found by {@link ByteBuf#indexOf}
     * (which compares eight bytes at a time) and only a line's first bytes are looked at. Returns the
     * index of the LF that ends the header section, or -1 when it is not in [from, end) yet.
     */
    private int scanLines(ByteBuf buffer, int i, int end) {
        if (!requestLineStarted) {
            // Netty skips control characters and whitespace before a request line; so does the scan.
            while (i < end) {
                byte b = buffer.getByte(i);
                if (!(b >= 0 && (b <= ' ' || b == 0x7f))) {
                    break;
                }
                i++;
            }
            if (i == end) {
                return -1;
            }
            requestLineStarted = true;
        }
        while (i < end) {
            if (atLineStart && sawLine && refusal == null) {
                byte first = buffer.getByte(i);
                if (first == ' ' || first == '\t') {
                    refusal = new RefusedRequestException(RefusedRequestException.Reason.OBSOLETE_LINE_FOLDING,
                            "obsolete line folding in the header section");
                }
            }
            atLineStart = false;
            int lf = buffer.indexOf(i, end, (byte) '\n');
            int lineEnd = lf < 0 ? end : lf;
            // A line is empty when it holds nothing but CRs: only a line's first bytes need a look.
            while (lineEmpty && i < lineEnd) {
                if (buffer.getByte(i) != '\r') {
                    lineEmpty = false;
                }
                i++;
            }
            if (lf < 0) {
                return -1;
            }
            if (lineEmpty && sawLine) {
                inHead = false;
                return lf;
            }
            if (!lineEmpty) {
                sawLine = true;
                lines++;
                // The first line is the request line; the rest are header fields.
                if (lines - 1 > maxHeaderCount && refusal == null) {
                    refusal = new RefusedRequestException(RefusedRequestException.Reason.TOO_MANY_HEADERS,
                            "more than " + maxHeaderCount + " header fields");
                }
            }
            atLineStart = true;
            lineEmpty = true;
            i = lf + 1;
        }
        return -1;
    }

    private void headComplete(HttpRequest request) {
        cancelTimer();
        inHead = false;
        awaitingHead = false;
        if (refusal != null && request.decoderResult().isSuccess()) {
            request.setDecoderResult(DecoderResult.failure(refusal));
        }
        if (connections.draining() && request.decoderResult().isSuccess()) {
            // Stopping: this request is served, and Vert.x answers it with Connection: close and then closes,
            // so the client opens its next connection elsewhere instead of losing a request to the stop.
            request.headers().set("Connection", "close");
        }
        if (!request.decoderResult().isSuccess()) {
            // Whatever follows a refused head (its body, a smuggled request) is never decoded.
            discarding = true;
        }
    }

    private void nextHead() {
        inHead = true;
        awaitingHead = true;
        headStarted = false;
        requestLineStarted = false;
        atLineStart = true;
        lineEmpty = true;
        sawLine = false;
        lines = 0;
        scanned = 0;
        refusal = null;
        headGeneration++;
        cancelTimer();
    }

    private void headerTimedOut(long generation) {
        headerTimer = null;
        if (generation != headGeneration || !awaitingHead || discarding || context == null || !context.channel().isActive()) {
            return;
        }
        discarding = true;
        HttpMessage timedOut = createTimedOutRequest();
        timedOut.setDecoderResult(DecoderResult.failure(new RefusedRequestException(RefusedRequestException.Reason.HEADER_TIMEOUT,
                "the header section did not arrive within " + TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos) + " ms")));
        context.fireChannelRead(timedOut);
        context.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private HttpMessage createTimedOutRequest() {
        HttpMessage message = super.createMessage(new String[]{"GET", "/", "HTTP/1.1"});
        message.headers().set("Connection", "close");
        return message;
    }

    private void cancelTimer() {
        if (headerTimer != null) {
            headerTimer.cancel(false);
            headerTimer = null;
        }
    }
}

package io.exgate.proxy.http;

import io.exgate.metrics.ExgateMeters;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a request head the decoder refused (malformed, too large, ambiguous framing, too slow):
 * a status, one sentence and the request id, then the connection is closed. Nothing of it reaches a
 * backend, and nothing after it on the connection is read.
 */
final class InvalidRequests implements Handler<HttpServerRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidRequests.class);
    private final ExgateMeters meters;

    InvalidRequests(ExgateMeters meters) {
        this.meters = meters;
    }

    /** Netty's messages quote the client's bytes: escaped, so that a CR or LF in them cannot forge a log line. */
    static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), 300));
        for (int i = 0; i < text.length() && out.length() < 300; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public void handle(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        if (cause instanceof PrematureChannelClosureException) {
            // The client went away in the middle of its headers: nobody to answer.
            request.connection().close();
            return;
        }
        int status;
        String phrase;
        String reason;
        String sentence;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            phrase = "URI Too Long";
            reason = "request_line_too_long";
            sentence = "The request line is longer than limits.max-request-line.";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            phrase = "Request Header Fields Too Large";
            reason = "headers_too_large";
            sentence = "The header section is larger than limits.max-header-size.";
        } else if (cause instanceof RefusedRequestException refused) {
            status = refused.reason.status;
            phrase = refused.reason.phrase;
            reason = refused.reason.name().toLowerCase(Locale.ROOT);
            sentence = "Refused: " + refused.getMessage() + ".";
        } else {
            status = 400;
            phrase = "Bad Request";
            reason = "malformed";
            sentence = "The request is not well-formed HTTP/1.1.";
        }
        String requestId = RequestIds.of(null);
        LOG.info("request {} from {}: {} before routing ({}: {})", requestId,
                request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress(), status, reason,
                cause == null ? "" : printable(cause.getMessage()));
        meters.requestRefused(reason);
        String body = status + " " + phrase + "\r\n" + sentence + "\r\nRequest id: " + requestId + "\r\n";
        request.response().setStatusCode(status).setStatusMessage(phrase)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("Connection", "close")
                .putHeader(RequestIds.HEADER, requestId)
                .end(body)
                .onComplete(done -> request.connection().close());
    }
}

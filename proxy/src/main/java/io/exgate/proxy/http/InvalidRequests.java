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

    /** How a refused head is answered: status, reason phrase, the metric's reason tag, one sentence. */
    record Refusal(int status, String phrase, String reason, String sentence) {
        String body(String requestId) {
            return status + " " + phrase + "\r\n" + sentence + "\r\nRequest id: " + requestId + "\r\n";
        }
    }

    /** The answer to a head the decoder refused with {@code cause}; null when nobody is left to answer. */
    static Refusal refusal(Throwable cause) {
        if (cause instanceof PrematureChannelClosureException) {
            // The client went away in the middle of its headers.
            return null;
        }
        if (cause instanceof TooLongHttpLineException) {
            return new Refusal(414, "URI Too Long", "request_line_too_long", "The request line is longer than limits.max-request-line.");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return new Refusal(431, "Request Header Fields Too Large", "headers_too_large",
                    "The header section is larger than limits.max-header-size.");
        }
        if (cause instanceof RefusedRequestException refused) {
            return new Refusal(refused.reason.status, refused.reason.phrase, refused.reason.name().toLowerCase(Locale.ROOT),
                    "Refused: " + refused.getMessage() + ".");
        }
        return new Refusal(400, "Bad Request", "malformed", "The request is not well-formed HTTP/1.1.");
    }

    /** Logs and counts a refusal; returns the request id the answer carries. */
    static String record(ExgateMeters meters, Refusal refusal, Throwable cause, String clientAddress) {
        String requestId = RequestIds.of(null);
        LOG.info("request {} from {}: {} before routing ({}: {})", requestId, clientAddress, refusal.status(), refusal.reason(),
                cause == null ? "" : printable(cause.getMessage()));
        meters.requestRefused(refusal.reason());
        return requestId;
    }

    @Override
    public void handle(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        Refusal refusal = refusal(cause);
        if (refusal == null) {
            request.connection().close();
            return;
        }
        String requestId = record(meters, refusal, cause, request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress());
        request.response().setStatusCode(refusal.status()).setStatusMessage(refusal.phrase())
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("Connection", "close")
                .putHeader(RequestIds.HEADER, requestId)
                .end(refusal.body(requestId))
                .onComplete(done -> request.connection().close());
    }
}

package io.exgate.proxy.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Answers exgate gives itself: a status, one plain-text sentence and the request id; never a stack
 * trace. When the request body has not been read the connection is closed afterwards, since the
 * unread bytes would otherwise be taken for the next request.
 */
final class ErrorResponse {
    private ErrorResponse() {
    }

    static void send(HttpServerRequest request, int status, String reason, String sentence, String requestId) {
        HttpServerResponse response = request.response();
        boolean http2 = request.version() == io.vertx.core.http.HttpVersion.HTTP_2;
        if (response.headWritten()) {
            if (http2) {
                response.reset();
            } else {
                request.connection().close();
            }
            return;
        }
        String body = status + " " + reason + "\r\n" + sentence + "\r\nRequest id: " + requestId + "\r\n";
        // HTTP/2 frames each stream's body, so unread bytes cannot be mistaken for the next request.
        boolean unreadBody = !http2 && !request.isEnded() && Http1Relay.announcesBody(request.headers());
        response.setStatusCode(status).setStatusMessage(reason);
        response.headers().clear();
        response.putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader(RequestIds.HEADER, requestId);
        if (unreadBody) {
            response.putHeader("Connection", "close");
        }
        response.end(body).onComplete(done -> {
            if (unreadBody) {
                request.connection().close();
            }
        });
    }
}

package io.exgate.proxy.http;

import io.exgate.routing.Backend;
import io.exgate.routing.MailboxRouter;
import io.exgate.routing.RoutingDecision;
import io.exgate.routing.RequestTarget;
import io.vertx.core.AsyncResult;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.Pipe;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request relayed to one backend: request head and body streamed to the backend, the answer
 * streamed back, both through {@link Pipe}s so that a slow side slows the other instead of filling
 * memory. Nothing is buffered whole; 1 GiB RPC channels and trickling NotificationWait answers pass
 * as they come.
 */
final class ProxyExchange {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);
    /** Set by exgate itself; whatever the client sent under these names is replaced. */
    private static final List<String> REPLACED = List.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id");

    private static final CharSequence X_PENDING_PERIOD = HttpHeaders.createOptimized("X-PendingPeriod");

    private final HttpServerRequest request;
    private final String clientAddress;
    private final RequestTarget target;
    private final MailboxRouter router;
    /** Each backend's pooled clients: an HTTP/2 stream is never pinned. */
    private final java.util.Map<String, BackendClient> clients;
    private RoutingDecision decision;
    private Backend counted;
    private final String requestId;
    private final IdleWatch watch;
    private final RequestLog log;
    private final PassiveHealth passive;

    /** Where each backend's answers and failures are reported, for passive ejection. */
    @FunctionalInterface
    interface PassiveHealth {
        void observed(Backend backend, boolean failed);
    }

    private MeteredWriteStream requestStream;
    private MeteredWriteStream responseStream;
    private HttpClientRequest backendRequest;
    private boolean responding;
    private boolean finished;

    ProxyExchange(Vertx vertx, HttpServerRequest request, String clientAddress, RequestTarget target, RoutingDecision decision, MailboxRouter router,
                  java.util.Map<String, BackendClient> clients, String requestId, long idleMillis, RequestLog log, PassiveHealth passive) {
        this.log = log;
        this.passive = passive;
        this.request = request;
        this.clientAddress = clientAddress;
        this.target = target;
        this.decision = decision;
        this.router = router;
        this.clients = clients;
        this.requestId = requestId;
        this.watch = new IdleWatch(vertx, idleMillis, this::onIdle);
    }

    void start() {
        Pipe<Buffer> body = request.pipe().endOnFailure(false);
        request.response().closeHandler(v -> onClientGone());
        connect(body);
    }

    private void connect(Pipe<Buffer> body) {
        Backend backend = decision.backend();
        log.decision(decision);
        log.backendStarted(router.outstanding().of(backend));
        count(backend);
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(backend.host())
                .setPort(backend.port())
                .setSsl(backend.tls())
                .setURI(target.originForm());
        clients.get(backend.name()).poolFor(decision.classification()).request(options).onComplete(ar -> {
            if (ar.failed()) {
                if (BackendFailure.beforeSending(ar.cause())) {
                    passive.observed(backend, true);
                }
                Optional<RoutingDecision> next = BackendFailure.beforeSending(ar.cause()) && !finished
                        ? router.retry(decision) : Optional.empty();
                if (next.isPresent()) {
                    // Nothing was sent yet, so moving on cannot replay anything.
                    LOG.warn("request {} {} {}: connecting to {} failed ({}), trying {}", requestId, request.method(),
                            target.path(), backend.name(), BackendFailure.of(ar.cause()).phrase(), next.get().backend().name());
                    log.info("ConnectFailed", backend.name() + " " + BackendFailure.of(ar.cause()).phrase());
                    decision = next.get();
                    connect(body);
                } else {
                    body.close();
                    fail(BackendFailure.of(ar.cause()));
                }
            } else {
                HttpClientRequest out = ar.result();
                // Failures surface through the response future and the pipes; without a handler Vert.x logs
                // each reset exgate itself makes (a client gone mid-body, or gone before the backend
                // connection was ready) as an ERROR without a request id.
                out.exceptionHandler(failure -> LOG.debug("request {}: backend request: {}", requestId, failure.toString()));
                if (finished) {
                    out.reset();
                } else {
                    log.backendReady();
                    backendRequest = out;
                    forward(body);
                }
            }
        });
    }

    /** Keeps the backend's in-flight count right: one request counts once, on the backend it is on. */
    private void count(Backend backend) {
        release();
        counted = backend;
        router.outstanding().started(backend);
    }

    private void release() {
        if (counted != null) {
            router.outstanding().ended(counted);
            counted = null;
        }
    }

    private void forward(Pipe<Buffer> body) {
        HttpClientRequest out = backendRequest;
        MultiMap headers = out.headers();
        HopByHopHeaders.copyEndToEnd(request.headers(), headers, REPLACED);
        headers.set("X-Forwarded-For", clientAddress);
        headers.set("X-Forwarded-Proto", "https");
        String host = request.getHeader(HttpHeaders.HOST);
        if (host == null && request.authority() != null) {
            // HTTP/2 carries the host as :authority; the backend speaks HTTP/1.1 and needs Host.
            host = request.authority().toString();
            headers.set("Host", host);
        }
        if (host != null) {
            headers.set("X-Forwarded-Host", host);
        }
        headers.set(RequestIds.HEADER, requestId);
        boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING, HttpHeaders.CHUNKED, true);
        if (chunked) {
            out.setChunked(true);
        }
        boolean expectsContinue = request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true);
        if (expectsContinue) {
            // Relayed, not invented: the client gets "HTTP/1.1 100 Continue" when the backend says so.
            out.continueHandler(v -> {
                if (!finished && !responding) {
                    request.response().writeContinue();
                }
            });
        }
        out.response().onComplete(this::onResponse);
        requestStream = new MeteredWriteStream(out, watch);
        boolean hasBody = chunked || hasContentLength();
        if (hasBody && expectsContinue) {
            out.sendHead(); // the client sends its body only after the backend's 100 Continue
        }
        body.to(requestStream).onFailure(this::onRequestBodyFailed);
        if (hasBody && !expectsContinue) {
            // A body that does not follow at once (an RPC IN channel) still gets its head to the backend
            // now. Written after body.to(): the pipe's drain is already queued on the event loop, so the
            // flush this head asks for (deferred by FlushBatching) runs after the drain has written the
            // body that is already here: head and body leave in one system call (see relay()).
            out.sendHead();
        }
    }

    private boolean hasContentLength() {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return length != null && !length.equals("0");
    }

    private void onRequestBodyFailed(Throwable cause) {
        if (finished) {
            return;
        }
        if (!request.isEnded()) {
            // The client went away or broke its body: the backend must not see a truncated request complete.
            abort("client request body failed: " + cause.getMessage());
        } else {
            fail(BackendFailure.of(cause));
        }
    }

    private void onResponse(AsyncResult<HttpClientResponse> ar) {
        if (finished) {
            if (ar.succeeded()) {
                backendRequest.reset();
            }
            return;
        }
        if (ar.failed()) {
            fail(BackendFailure.of(ar.cause()));
            return;
        }
        try {
            relay(ar.result());
        } catch (RuntimeException e) {
            // A bug here must not leave the client waiting for an answer that never comes.
            LOG.error("request {} {} {}: relaying the answer failed", requestId, request.method(), target.path(), e);
            abort("relaying the answer failed: " + e);
        }
    }

    private void relay(HttpClientResponse in) {
        log.backendAnswered(in.statusCode());
        passive.observed(decision.backend(), in.statusCode() >= 500);
        Pipe<Buffer> body = in.pipe().endOnFailure(false);
        responding = true;
        HttpServerResponse response = request.response();
        response.setStatusCode(in.statusCode());
        if (in.statusMessage() != null) {
            response.setStatusMessage(in.statusMessage());
        }
        HopByHopHeaders.copyEndToEnd(in.headers(), response.headers(), List.of());
        if (!response.headers().contains(RequestIds.HEADER)) {
            response.putHeader(RequestIds.HEADER, requestId);
        }
        if (decision.setCookie() != null) {
            response.headers().add("Set-Cookie", decision.setCookie() + "; Path=/; Secure; HttpOnly");
        }
        watch.pendingPeriod(decision.classification().protocol(), in.getHeader(X_PENDING_PERIOD));
        if (!in.headers().contains(HttpHeaders.CONTENT_LENGTH) && bodyAllowed(in.statusCode()) && request.version() != HttpVersion.HTTP_1_0) {
            response.setChunked(true);
        }
        responseStream = new MeteredWriteStream(response, watch);
        body.to(responseStream).onComplete(done -> {
            if (done.succeeded()) {
                finished = true;
                watch.stop();
                release();
                endLog(response.getStatusCode());
            } else {
                abort("response stream failed: " + done.cause().getMessage());
            }
        });
        // An answer whose body does not follow at once (an RPC OUT channel, a long poll) still gets its
        // head to the client now. Written after body.to(), never before: the pipe's drain is queued first,
        // so the flush this head asks for (deferred by FlushBatching) runs once a waiting body is written
        // too, and head and body leave in one TLS record and one system call. Written before, the head's
        // flush ran ahead of the drain and went alone. Vert.x writes no head on its own without a length
        // or chunking (an HTTP/1.0 answer of unknown length, one without a body to HEAD or a 204): those
        // get their head with their first bytes or their end.
        if (!finished && !response.headWritten() && !response.ended()
                && (response.isChunked() || response.headers().contains(HttpHeaders.CONTENT_LENGTH))) {
            response.writeHead();
        }
    }


    private void endLog(int status) {
        log.bytes(requestStream == null ? 0 : requestStream.bytes(), responseStream == null ? 0 : responseStream.bytes());
        log.end(status);
    }

    /** Ends this exchange on the client side: the connection for HTTP/1.1, only the stream for HTTP/2. */
    private void closeClient() {
        if (request.version() == HttpVersion.HTTP_2) {
            request.response().reset();
        } else {
            request.connection().close();
        }
    }

    private boolean bodyAllowed(int status) {
        return request.method() != HttpMethod.HEAD && status != 204 && status != 304 && status >= 200;
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

    private void onClientGone() {
        if (!finished) {
            finished = true;
            watch.stop();
            release();
            log.error("ClientDisconnected", "the client closed the connection before the answer was complete");
            endLog(request.response().headWritten() ? request.response().getStatusCode() : 0);
            if (backendRequest != null) {
                backendRequest.reset();
            }
        }
    }

    /** No answer can be given any more: both connections are cut so that neither side waits forever. */
    private void abort(String why) {
        if (finished) {
            return;
        }
        finished = true;
        watch.stop();
        release();
        LOG.warn("request {} {} {} via {}: aborted, {}", requestId, request.method(), target.path(), decision.backend().name(), why);
        log.error("Aborted", why);
        endLog(request.response().headWritten() ? request.response().getStatusCode() : 0);
        if (backendRequest != null) {
            backendRequest.reset();
        }
        closeClient();
    }

    /** The backend could not be used: the client gets 502 or 504 if no answer has started yet. */
    private void fail(BackendFailure failure) {
        if (finished) {
            return;
        }
        finished = true;
        watch.stop();
        release();
        LOG.warn("request {} {} {} via {} ({}): {} {}", requestId, request.method(), target.path(), decision.backend().name(),
                decision.backend().url(), failure.status(), failure.phrase());
        if (backendRequest != null) {
            backendRequest.reset();
        }
        log.error(failure.status() == 504 ? "BackendTimeout" : "BackendUnreachable", failure.phrase());
        endLog(responding ? request.response().getStatusCode() : failure.status());
        if (responding) {
            closeClient();
        } else {
            String sentence = failure.status() == 504
                    ? "The mail server did not answer in time."
                    : "The mail server could not be reached.";
            ErrorResponse.send(request, failure.status(), failure.reason(), sentence, requestId);
        }
    }
}

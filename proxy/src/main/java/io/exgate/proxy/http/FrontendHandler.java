package io.exgate.proxy.http;

import io.exgate.health.BackendStates;
import io.exgate.health.HealthcheckPage;
import io.exgate.routing.BadRequestTargetException;
import io.exgate.routing.BadRoutingInputException;
import io.exgate.routing.MailboxRouter;
import io.exgate.routing.NoBackendAvailableException;
import io.exgate.routing.RequestTarget;
import io.exgate.routing.RoutingDecision;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public listener's request handler for HTTP/2 streams (HTTP/1.x connections are relayed by
 * {@link Http1Relay}, which applies the same rules): normalises the target, refuses what is not under an
 * Exchange virtual directory (never asking a backend), lets the router place the request, and relays.
 */
public final class FrontendHandler implements Handler<HttpServerRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(FrontendHandler.class);
    /** The HTTP/2 error code HTTP_1_1_REQUIRED (RFC 9113, section 7). */
    static final long HTTP_1_1_REQUIRED = 0xd;

    private final Vertx vertx;
    private final MailboxRouter router;
    private final Map<String, BackendClient> clients;
    private final long idleMillis;
    private final long connectMillis;
    private final RequestLog.Sink logSink;
    private final BackendStates health;
    private final HealthcheckPage healthcheckPage;

    public FrontendHandler(Vertx vertx, MailboxRouter router, Map<String, BackendClient> clients,
                           long idleMillis, long connectMillis, RequestLog.Sink logSink, BackendStates health,
                           HealthcheckPage healthcheckPage) {
        this.logSink = logSink;
        this.health = health;
        this.healthcheckPage = healthcheckPage;
        this.vertx = vertx;
        this.router = router;
        this.clients = Map.copyOf(clients);
        this.idleMillis = idleMillis;
        this.connectMillis = connectMillis;
    }

    @Override
    public void handle(HttpServerRequest request) {
        String requestId = RequestIds.of(request.getHeader(RequestIds.HEADER));
        if (!framingIsUnambiguous(request)) {
            // Only chunked is a transfer coding a backend is certain to read the same way: anything else is a
            // request-smuggling vector, refused before a backend sees a byte.
            LOG.info("request {} from {}: 400 {} (Transfer-Encoding other than chunked, or with Content-Length)", requestId, client(request), request.method());
            ErrorResponse.send(request, 400, "Bad Request", "Only the chunked transfer coding is accepted, and never with Content-Length.", requestId);
            request.connection().close();
            return;
        }
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.uri());
        } catch (BadRequestTargetException e) {
            LOG.info("request {} from {}: 400 {} (refused target: {})", requestId, client(request), request.method(), e.getMessage());
            ErrorResponse.send(request, 400, "Bad Request", "The request target is not acceptable: " + e.getMessage() + ".", requestId);
            return;
        }
        Optional<VirtualDirectory> vdir = VirtualDirectory.of(target.path());
        if (vdir.isEmpty()) {
            LOG.info("request {} from {}: 404 {} {} (not an Exchange virtual directory)", requestId, client(request),
                    request.method(), target.path());
            ErrorResponse.send(request, 404, "Not Found", "There is no Exchange virtual directory at this path.", requestId);
            return;
        }
        if (isHealthcheck(request, target, vdir.get())) {
            // Answered here, never forwarded: one answer per protocol, from what exgate knows of its backends.
            HealthcheckPage.Answer answer = healthcheckPage.answer(vdir.get());
            request.response().setStatusCode(answer.status()).putHeader("Content-Type", answer.contentType())
                    .putHeader("Cache-Control", "no-cache, no-store").putHeader(RequestIds.HEADER, requestId).end(answer.body());
            return;
        }
        String clientAddress = client(request); // made once: Vert.x formats the address anew on every call
        RequestLog log = new RequestLog(logSink, request, requestId, clientAddress);
        log.target(target, vdir.get());
        boolean bound = ConnectionBoundAuth.requested(request.getHeader("Authorization"));
        if (bound && request.version() == HttpVersion.HTTP_2) {
            // A stream cannot carry connection-bound authentication: ask the client to retry over HTTP/1.1, as IIS does.
            LOG.info("request {} from {}: NTLM/Negotiate on HTTP/2, answered HTTP_1_1_REQUIRED", requestId, clientAddress);
            request.response().reset(HTTP_1_1_REQUIRED);
            log.error("Http11Required", "NTLM or Negotiate on HTTP/2");
            log.end(0);
            return;
        }
        RoutingDecision decision;
        try {
            decision = router.route(request.method().name(), target, request::getHeader, name -> cookie(request, name),
                    bound ? clientAddress : null);
        } catch (BadRoutingInputException e) {
            LOG.info("request {} from {}: 400 {} {} ({})", requestId, client(request), request.method(), target.path(), e.getMessage());
            ErrorResponse.send(request, 400, "Bad Request", "The " + e.getMessage() + ".", requestId);
            log.error("BadRoutingInput", e.getMessage());
            log.end(400);
            return;
        } catch (NoBackendAvailableException e) {
            LOG.warn("request {} from {}: 503 {} {} ({})", requestId, client(request), request.method(), target.path(), e.getMessage());
            ErrorResponse.send(request, 503, "Service Unavailable", "No mail server is available for this service.", requestId);
            log.error("NoBackendAvailable", e.getMessage());
            log.end(503);
            return;
        }
        log.decision(decision);
        if (decision.rejectedCookie()) {
            log.info("AffinityCookie", "rejected: signature does not verify");
            LOG.warn("request {} from {}: ignored an exgate affinity cookie whose signature does not verify", requestId, client(request));
        }
        BackendLink link = BackendLink.pooled(clients);
        new ProxyExchange(vertx, request, clientAddress, target, decision, router, link, requestId, idleMillis, log,
                (backend, failed) -> health.recordPassive(backend, vdir.get(), failed)).start();
    }

    private static boolean framingIsUnambiguous(HttpServerRequest request) {
        return framingIsUnambiguous(request.headers());
    }

    static boolean framingIsUnambiguous(io.vertx.core.MultiMap headers) {
        if (!headers.contains("Transfer-Encoding")) {
            return true;
        }
        if (headers.contains("Content-Length")) {
            // HTTP/1.0 with both (HTTP/1.1 with both is refused by GuardedRequestDecoder).
            return false;
        }
        java.util.List<String> codings = headers.getAll("Transfer-Encoding");
        return codings.isEmpty() || (codings.size() == 1 && codings.get(0).strip().equalsIgnoreCase("chunked"));
    }

    private static boolean isHealthcheck(HttpServerRequest request, RequestTarget target, VirtualDirectory vdir) {
        return (request.method() == io.vertx.core.http.HttpMethod.GET || request.method() == io.vertx.core.http.HttpMethod.HEAD)
                && target.path().value().equalsIgnoreCase(vdir.path() + "/healthcheck.htm");
    }

    private static String cookie(HttpServerRequest request, String name) {
        Cookie c = request.getCookie(name);
        return c == null ? null : c.getValue();
    }

    private static String client(HttpServerRequest request) {
        return request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress();
    }
}

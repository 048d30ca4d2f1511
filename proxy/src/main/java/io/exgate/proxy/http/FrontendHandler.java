package io.exgate.proxy.http;

import io.exgate.routing.BackendPool;
import io.exgate.routing.BadRequestTargetException;
import io.exgate.routing.RequestTarget;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public listener's request handler: normalises the target, refuses what is not under an
 * Exchange virtual directory (never asking a backend), picks a backend and relays.
 */
public final class FrontendHandler implements Handler<HttpServerRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(FrontendHandler.class);

    private final Vertx vertx;
    private final BackendPool pool;
    private final Map<String, HttpClientAgent> clients;
    private final long idleMillis;

    public FrontendHandler(Vertx vertx, BackendPool pool, Map<String, HttpClientAgent> clients, long idleMillis) {
        this.vertx = vertx;
        this.pool = pool;
        this.clients = Map.copyOf(clients);
        this.idleMillis = idleMillis;
    }

    @Override
    public void handle(HttpServerRequest request) {
        String requestId = RequestIds.of(request.getHeader(RequestIds.HEADER));
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
        var backend = pool.pick();
        new ProxyExchange(vertx, request, target, backend, clients.get(backend.name()), requestId, idleMillis).start();
    }

    private static String client(HttpServerRequest request) {
        return request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress();
    }
}

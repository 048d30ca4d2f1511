package io.exgate.proxy.http;

import io.exgate.health.BackendStates;
import io.exgate.health.HealthcheckPage;
import io.exgate.routing.MailboxRouter;
import io.exgate.routing.RequestTarget;
import io.exgate.routing.RoutingDecision;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Map;
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
        String clientAddress = client(request); // made once: Vert.x formats the address anew on every call
        Admission admission = Admission.of(new Admission.Request(request.method().name(), request.uri(), request.headers(),
                request.authority() == null ? "" : request.authority().host(), requestId, clientAddress,
                request.version() == HttpVersion.HTTP_2), router, logSink, healthcheckPage);
        if (admission instanceof Admission.Refused refused) {
            ErrorResponse.send(request, refused.status(), refused.reason(), refused.sentence(), requestId);
            if (refused.close()) {
                request.connection().close();
            }
            return;
        }
        if (admission instanceof Admission.Healthcheck healthcheck) {
            HealthcheckPage.Answer answer = healthcheck.answer();
            request.response().setStatusCode(answer.status()).putHeader("Content-Type", answer.contentType())
                    .putHeader("Cache-Control", "no-cache, no-store").putHeader(RequestIds.HEADER, requestId).end(answer.body());
            return;
        }
        if (admission instanceof Admission.Http11Required) {
            // A stream cannot carry connection-bound authentication: ask the client to retry over HTTP/1.1, as IIS does.
            request.response().reset(HTTP_1_1_REQUIRED);
            return;
        }
        Admission.Routed routed = (Admission.Routed) admission;
        RoutingDecision decision = routed.decision();
        RequestLog log = routed.log();
        RequestTarget target = routed.target();
        VirtualDirectory vdir = routed.vdir();
        new ProxyExchange(vertx, request, clientAddress, target, decision, router, clients, requestId, idleMillis, log,
                (backend, failed) -> health.recordPassive(backend, vdir, failed)).start();
    }

    private static String client(HttpServerRequest request) {
        return request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress();
    }
}

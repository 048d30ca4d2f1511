package io.exgate.proxy.http;

import io.exgate.health.HealthcheckPage;
import io.exgate.routing.BadRequestTargetException;
import io.exgate.routing.BadRoutingInputException;
import io.exgate.routing.MailboxRouter;
import io.exgate.routing.NoBackendAvailableException;
import io.exgate.routing.RequestTarget;
import io.exgate.routing.RoutingDecision;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.MultiMap;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What exgate decides about a request before it asks any backend, the same on both engines (HTTP/1.x
 * relayed by {@link Http1Relay}, HTTP/2 by {@link FrontendHandler}): ambiguous framing, a target that
 * is not acceptable or not under an Exchange virtual directory, and routing input that is not usable
 * are answered by exgate itself; {@code healthcheck.htm} is answered from the backends' states; the
 * rest is placed on a backend by the router. Each engine writes the answer its own way.
 */
sealed interface Admission {
    Logger LOG = LoggerFactory.getLogger(Admission.class);

    /** exgate answers: a status, one sentence; {@code close} when the connection must not be reused. */
    record Refused(int status, String reason, String sentence, boolean close) implements Admission {
    }

    /** {@code /<vdir>/healthcheck.htm}: never forwarded, one answer per protocol. */
    record Healthcheck(HealthcheckPage.Answer answer) implements Admission {
    }

    /** NTLM or Negotiate on an HTTP/2 stream, which cannot carry connection-bound authentication. */
    record Http11Required(RequestLog log) implements Admission {
    }

    /** Placed: the exchange may start. {@code bound} when the request carries NTLM or Negotiate. */
    record Routed(RequestTarget target, VirtualDirectory vdir, RequestLog log, RoutingDecision decision, boolean bound)
            implements Admission {
    }

    /** What one request needs to be judged, whichever engine read it. */
    record Request(String method, String uri, MultiMap headers, String authorityHost, String requestId, String clientAddress,
                   boolean http2) {
    }

    static Admission of(Request r, MailboxRouter router, RequestLog.Sink sink, HealthcheckPage healthcheckPage) {
        if (!framingIsUnambiguous(r.headers())) {
            // Only chunked is a transfer coding a backend is certain to read the same way: anything else is a
            // request-smuggling vector, refused before a backend sees a byte.
            LOG.info("request {} from {}: 400 {} (Transfer-Encoding other than chunked, or with Content-Length)", r.requestId(),
                    r.clientAddress(), r.method());
            return new Refused(400, "Bad Request", "Only the chunked transfer coding is accepted, and never with Content-Length.", true);
        }
        RequestTarget target;
        try {
            target = RequestTarget.parse(r.uri());
        } catch (BadRequestTargetException e) {
            LOG.info("request {} from {}: 400 {} (refused target: {})", r.requestId(), r.clientAddress(), r.method(), e.getMessage());
            return new Refused(400, "Bad Request", "The request target is not acceptable: " + e.getMessage() + ".", false);
        }
        VirtualDirectory vdir = VirtualDirectory.of(target.path()).orElse(null);
        if (vdir == null) {
            LOG.info("request {} from {}: 404 {} {} (not an Exchange virtual directory)", r.requestId(), r.clientAddress(), r.method(),
                    target.path());
            return new Refused(404, "Not Found", "There is no Exchange virtual directory at this path.", false);
        }
        if ((r.method().equals("GET") || r.method().equals("HEAD")) && target.path().value().equalsIgnoreCase(vdir.path() + "/healthcheck.htm")) {
            return new Healthcheck(healthcheckPage.answer(vdir));
        }
        RequestLog log = new RequestLog(sink, r.headers(), r.method(), r.authorityHost(), r.uri(), r.requestId(), r.clientAddress());
        log.target(target, vdir);
        boolean bound = ConnectionBoundAuth.requested(r.headers().get(HeaderNames.AUTHORIZATION));
        if (bound && r.http2()) {
            LOG.info("request {} from {}: NTLM/Negotiate on HTTP/2, answered HTTP_1_1_REQUIRED", r.requestId(), r.clientAddress());
            log.error("Http11Required", "NTLM or Negotiate on HTTP/2");
            log.end(0);
            return new Http11Required(log);
        }
        RoutingDecision decision;
        try {
            decision = router.route(r.method(), target, r.headers()::get, name -> Cookies.value(r.headers(), name),
                    bound ? r.clientAddress() : null);
        } catch (BadRoutingInputException e) {
            LOG.info("request {} from {}: 400 {} {} ({})", r.requestId(), r.clientAddress(), r.method(), target.path(), e.getMessage());
            log.error("BadRoutingInput", e.getMessage());
            log.end(400);
            return new Refused(400, "Bad Request", "The " + e.getMessage() + ".", false);
        } catch (NoBackendAvailableException e) {
            LOG.warn("request {} from {}: 503 {} {} ({})", r.requestId(), r.clientAddress(), r.method(), target.path(), e.getMessage());
            log.error("NoBackendAvailable", e.getMessage());
            log.end(503);
            return new Refused(503, "Service Unavailable", "No mail server is available for this service.", false);
        }
        log.decision(decision);
        if (decision.rejectedCookie()) {
            log.info("AffinityCookie", "rejected: signature does not verify");
            LOG.warn("request {} from {}: ignored an exgate affinity cookie whose signature does not verify", r.requestId(), r.clientAddress());
        }
        return new Routed(target, vdir, log, decision, bound);
    }

    /** True unless the framing could be read two ways: a coding other than chunked, or one with Content-Length. */
    static boolean framingIsUnambiguous(MultiMap headers) {
        if (!headers.contains(HeaderNames.TRANSFER_ENCODING)) {
            return true;
        }
        if (headers.contains(HeaderNames.CONTENT_LENGTH)) {
            // HTTP/1.0 with both (HTTP/1.1 with both is refused by GuardedRequestDecoder).
            return false;
        }
        List<String> codings = headers.getAll(HeaderNames.TRANSFER_ENCODING);
        return codings.isEmpty() || (codings.size() == 1 && codings.get(0).strip().equalsIgnoreCase("chunked"));
    }
}

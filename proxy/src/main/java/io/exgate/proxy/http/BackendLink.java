package io.exgate.proxy.http;

import io.exgate.routing.RoutingDecision;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import java.util.Map;

/**
 * How one HTTP/2 exchange reaches its backend: the shared pool. (A stream never carries NTLM or
 * Negotiate, so nothing on HTTP/2 is pinned; HTTP/1.x connections are relayed by {@link Http1Relay}.)
 */
abstract class BackendLink {

    /** A backend request on this link for the decision's backend. */
    abstract Future<HttpClientRequest> request(RoutingDecision decision, RequestOptions options);

    /** Whether a connect failure may move the request to the next backend (nothing was sent). */
    abstract boolean mayRetry();

    /** Called with the answer's head, before it is relayed. */
    void answered(RoutingDecision decision, int status, MultiMap headers) {
    }

    /** Called when the answer was relayed completely; returns true when the client connection must close. */
    boolean completed() {
        return false;
    }

    /** The shared pool. */
    static BackendLink pooled(Map<String, BackendClient> clients) {
        return new BackendLink() {
            @Override
            Future<HttpClientRequest> request(RoutingDecision decision, RequestOptions options) {
                return clients.get(decision.backend().name()).poolFor(decision.classification()).request(options);
            }

            @Override
            boolean mayRetry() {
                return true;
            }
        };
    }
}

package io.exgate.proxy.http;

import io.exgate.routing.Backend;
import io.exgate.routing.RoutingDecision;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Map;

/** How one exchange reaches its backend: the shared pool, or the client connection's own backend connection. */
abstract class BackendLink {

    /** A backend request on this link for the decision's backend. */
    abstract Future<HttpClientRequest> request(RoutingDecision decision, RequestOptions options);

    /** Whether a connect failure may move the request to the next backend (nothing was sent, nothing pinned). */
    abstract boolean mayRetry();

    /** Called with the answer's head, before it is relayed. */
    void answered(RoutingDecision decision, int status, MultiMap headers) {
    }

    /** Called when the answer was relayed completely; returns true when the client connection must close. */
    boolean completed() {
        return false;
    }

    /** The shared pool; a 401 offering NTLM or Negotiate remembers which backend challenged this client. */
    static BackendLink pooled(Map<String, BackendClient> clients, PinnedConnections pins, io.vertx.core.http.HttpConnection client,
                              String clientAddress) {
        return new BackendLink() {
            @Override
            Future<HttpClientRequest> request(RoutingDecision decision, RequestOptions options) {
                return clients.get(decision.backend().name()).poolFor(decision.classification()).request(options);
            }

            @Override
            boolean mayRetry() {
                return true;
            }

            @Override
            void answered(RoutingDecision decision, int status, MultiMap headers) {
                if (ConnectionBoundAuth.offered(status, headers)) {
                    pins.getOrCreate(client, clientAddress).challenger = decision.backend();
                }
            }
        };
    }

    /** A client connection that starts NTLM or Negotiate now: it gets a backend connection of its own. */
    static BackendLink newPin(Map<String, BackendClient> clients, PinnedConnections pins, ClientPin pin, long connectTimeoutMillis) {
        return new BackendLink() {
            @Override
            Future<HttpClientRequest> request(RoutingDecision decision, RequestOptions options) {
                Backend backend = decision.backend();
                if (pin.isPinned()) {
                    return pin.connection.request(options);
                }
                return pins.pin(pin, backend, clients.get(backend.name()).requests(), connectTimeoutMillis)
                        .compose(connection -> connection.request(options))
                        .map(BackendLink::batchFlushes);
            }

            @Override
            boolean mayRetry() {
                return !pin.isPinned();
            }

            @Override
            boolean completed() {
                return pins.exhausted(pin);
            }
        };
    }

    /**
     * Vert.x runs a client's connect handler for pooled connections only: a pinned connection gets its
     * flush batching with its first request (the request knows its connection; the pinned handle does not).
     */
    private static HttpClientRequest batchFlushes(HttpClientRequest request) {
        if (request.connection() instanceof ConnectionBase connection) {
            FlushBatching.install(connection.channelHandlerContext().pipeline());
        }
        return request;
    }

    /** A client connection already pinned: every request goes over its backend connection, wherever hashing would point. */
    static BackendLink pinned(PinnedConnections pins, ClientPin pin) {
        return new BackendLink() {
            @Override
            Future<HttpClientRequest> request(RoutingDecision decision, RequestOptions options) {
                return pin.connection.request(options);
            }

            @Override
            boolean mayRetry() {
                return false;
            }

            @Override
            boolean completed() {
                return pins.exhausted(pin);
            }
        };
    }
}

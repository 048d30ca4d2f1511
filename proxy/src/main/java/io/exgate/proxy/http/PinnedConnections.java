package io.exgate.proxy.http;

import io.exgate.proxy.config.PinningSettings;
import io.exgate.routing.Backend;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpConnection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pinned client connections of one event loop (each map is touched only from it), and the counts
 * of pinned connections per client address and per backend shared by all event loops.
 */
public final class PinnedConnections {
    private static final Logger LOG = LoggerFactory.getLogger(PinnedConnections.class);

    private final Map<HttpConnection, ClientPin> byClient = new HashMap<>();
    private final Shared shared;
    private final PinningSettings settings;

    /** Counts across event loops: caps per client address, gauges per backend. */
    public static final class Shared {
        private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> perBackend = new ConcurrentHashMap<>();

        public int pinnedTo(String backendName) {
            AtomicInteger n = perBackend.get(backendName);
            return n == null ? 0 : n.get();
        }

        int from(String clientAddress) {
            AtomicInteger n = perClient.get(clientAddress);
            return n == null ? 0 : n.get();
        }

        void add(String clientAddress, String backend, int delta) {
            perClient.computeIfAbsent(clientAddress, k -> new AtomicInteger()).addAndGet(delta);
            perBackend.computeIfAbsent(backend, k -> new AtomicInteger()).addAndGet(delta);
            perClient.computeIfPresent(clientAddress, (k, v) -> v.get() <= 0 ? null : v);
        }
    }

    public PinnedConnections(Shared shared, PinningSettings settings) {
        this.shared = shared;
        this.settings = settings;
    }

    /** This client connection's state, if NTLM or Negotiate ever started on it. */
    ClientPin get(HttpConnection client) {
        return byClient.get(client);
    }

    ClientPin getOrCreate(HttpConnection client, String clientAddress) {
        return byClient.computeIfAbsent(client, c -> {
            ClientPin pin = new ClientPin(c, clientAddress);
            c.closeHandler(v -> unpin(pin));
            return pin;
        });
    }

    /** True when the address may not open another pinned connection. */
    boolean overCap(String clientAddress) {
        return settings.maxPerClient() > 0 && shared.from(clientAddress) >= settings.maxPerClient();
    }

    /** Opens this client's own backend connection; when it dies, the client connection goes with it. */
    Future<HttpClientConnection> pin(ClientPin pin, Backend backend, HttpClientAgent client, long connectTimeoutMillis) {
        HttpConnectOptions options = new HttpConnectOptions().setHost(backend.host()).setPort(backend.port())
                .setSsl(backend.tls()).setConnectTimeout(connectTimeoutMillis);
        return client.connect(options).onSuccess(connection -> {
            if (pin.closing) {
                connection.close();
                return;
            }
            pin.backend = backend;
            pin.connection = connection;
            shared.add(pin.clientAddress, backend.name(), 1);
            // The close below is what matters (logged at INFO); Vert.x would log the reset itself as an ERROR.
            connection.exceptionHandler(failure -> LOG.debug("pinned backend connection to {}: {}", backend.name(), failure.toString()));
            connection.closeHandler(v -> {
                if (!pin.closing) {
                    // Never move an authenticated client to another, unauthenticated connection: it must start over.
                    LOG.info("pinned backend connection to {} closed: closing client connection from {}", backend.name(),
                            pin.clientAddress);
                    pin.client.close();
                }
            });
        });
    }

    /** After each answer on a pinned pair: true when a cap says the pair is done (it is closed then). */
    boolean exhausted(ClientPin pin) {
        pin.requests++;
        boolean tooOld = !settings.maxAge().isZero() && System.nanoTime() - pin.createdNanos >= settings.maxAge().toNanos();
        boolean tooMany = settings.maxRequests() > 0 && pin.requests >= settings.maxRequests();
        return tooOld || tooMany;
    }

    private void unpin(ClientPin pin) {
        byClient.remove(pin.client);
        pin.closing = true;
        if (pin.connection != null) {
            shared.add(pin.clientAddress, pin.backend.name(), -1);
            pin.connection.close();
        }
    }
}

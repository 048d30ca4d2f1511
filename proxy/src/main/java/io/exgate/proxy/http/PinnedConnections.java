package io.exgate.proxy.http;

import io.exgate.proxy.config.PinningSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rules for pinned client connections (caps per client address, per connection age and request
 * count) and the counts of pinned connections per client address and per backend, shared by all
 * event loops. Each pin itself belongs to its client connection ({@link Http1Relay}).
 */
public final class PinnedConnections {
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

    /** True when the address may not open another pinned connection. */
    boolean overCap(String clientAddress) {
        return settings.maxPerClient() > 0 && shared.from(clientAddress) >= settings.maxPerClient();
    }

    /** The pin has its backend connection now: it counts against the caps and in the gauges. */
    void pinned(ClientPin pin, BackendChannel connection, io.exgate.routing.Backend backend) {
        pin.backend = backend;
        pin.connection = connection;
        shared.add(pin.clientAddress, backend.name(), 1);
    }

    /** The client connection closed: its backend connection goes with it. */
    void unpin(ClientPin pin) {
        pin.closing = true;
        if (pin.connection != null) {
            BackendChannel connection = pin.connection;
            pin.connection = null;
            shared.add(pin.clientAddress, pin.backend.name(), -1);
            connection.close();
        }
    }

    /** After each answer on a pinned pair: true when a cap says the pair is done. */
    boolean exhausted(ClientPin pin) {
        pin.requests++;
        boolean tooOld = !settings.maxAge().isZero() && System.nanoTime() - pin.createdNanos >= settings.maxAge().toNanos();
        boolean tooMany = settings.maxRequests() > 0 && pin.requests >= settings.maxRequests();
        return tooOld || tooMany;
    }
}

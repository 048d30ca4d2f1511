package io.exgate.proxy.http;

import io.exgate.proxy.config.PinningSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
        private final Map<String, Integer> perClient = new ConcurrentHashMap<>();
        private final Map<String, Integer> perBackend = new ConcurrentHashMap<>();

        public int pinnedTo(String backendName) {
            return perBackend.getOrDefault(backendName, 0);
        }

        int from(String clientAddress) {
            return perClient.getOrDefault(clientAddress, 0);
        }

        /** Each count changes in one atomic step; an address whose count reaches 0 is forgotten. */
        void add(String clientAddress, String backend, int delta) {
            perClient.merge(clientAddress, delta, (a, b) -> a + b <= 0 ? null : a + b);
            perBackend.merge(backend, delta, Integer::sum);
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

package io.exgate.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backends requests may go to. Selection is round-robin for now; mailbox affinity and health
 * come with their own issues and will narrow the choice before this falls back to spreading.
 */
public final class BackendPool {
    private final List<Backend> backends;
    private final AtomicInteger next = new AtomicInteger();

    public BackendPool(List<Backend> backends) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one backend");
        }
        this.backends = List.copyOf(backends);
    }

    public List<Backend> backends() {
        return backends;
    }

    public Backend pick() {
        return backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
    }
}

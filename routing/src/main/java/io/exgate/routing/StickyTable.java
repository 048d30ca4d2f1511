package io.exgate.routing;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * This instance's memory of where a session key was placed, for clients that do not return cookies
 * (RPC over HTTP channels): a key stays on its backend while it is in use, even if the backend set
 * changes. Bounded in size and in idle time; the oldest entries go first.
 */
public final class StickyTable {
    private final Map<RoutingKey, Entry> entries = new ConcurrentHashMap<>();
    private final int capacity;
    private final long ttlNanos;
    private final LongSupplier clock;

    private record Entry(String backend, long lastUsed) {
    }

    public StickyTable(int capacity, long ttlMillis, LongSupplier nanoClock) {
        this.capacity = capacity;
        this.ttlNanos = ttlMillis * 1_000_000L;
        this.clock = nanoClock;
    }

    public Optional<String> get(RoutingKey key) {
        Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (clock.getAsLong() - e.lastUsed() > ttlNanos) {
            entries.remove(key, e);
            return Optional.empty();
        }
        return Optional.of(e.backend());
    }

    public void put(RoutingKey key, String backend) {
        entries.put(key, new Entry(backend, clock.getAsLong()));
        if (entries.size() > capacity) {
            evict();
        }
    }

    public int size() {
        return entries.size();
    }

    private synchronized void evict() {
        if (entries.size() <= capacity) {
            return;
        }
        long now = clock.getAsLong();
        entries.entrySet().removeIf(e -> now - e.getValue().lastUsed() > ttlNanos);
        int excess = entries.size() - capacity * 9 / 10;
        if (excess > 0) {
            entries.entrySet().stream()
                    .sorted(Comparator.comparingLong(e -> e.getValue().lastUsed()))
                    .limit(excess)
                    .map(Map.Entry::getKey)
                    .toList()
                    .forEach(entries::remove);
        }
    }
}

package io.exgate.routing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Requests in flight per backend, for least-outstanding selection of requests that carry no key. */
public final class OutstandingRequests {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    public void started(Backend b) {
        counter(b).incrementAndGet();
    }

    public void ended(Backend b) {
        counter(b).decrementAndGet();
    }

    public int of(Backend b) {
        return counter(b).get();
    }

    private AtomicInteger counter(Backend b) {
        return counts.computeIfAbsent(b.name(), n -> new AtomicInteger());
    }
}

package io.exgate.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lines written and lines dropped. Every line logged ends in exactly one of the two, so that
 * Prometheus can show what a full queue or a failing disk cost.
 */
final class LogCounters {
    // Only the writer thread adds to written; drops come from every request thread, hence the adder.
    private final AtomicLong written = new AtomicLong();
    private final LongAdder dropped = new LongAdder();

    void written(long lines) {
        if (lines > 0) {
            written.addAndGet(lines);
        }
    }

    void dropped(long lines) {
        if (lines > 0) {
            dropped.add(lines);
        }
    }

    long written() {
        return written.get();
    }

    long dropped() {
        return dropped.sum();
    }
}

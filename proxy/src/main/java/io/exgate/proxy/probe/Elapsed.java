package io.exgate.proxy.probe;

import java.time.Duration;

/** Step times, measured with the monotonic clock and reported in milliseconds. */
final class Elapsed {
    private Elapsed() {
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** A duration as the user wrote it: 5s, 500ms, 2m. */
    static String text(Duration d) {
        if (d.toMillis() % 60_000 == 0) {
            return d.toMinutes() + "m";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}

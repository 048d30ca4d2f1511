package io.exgate.metrics;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A warning logged at most once a minute: a full disk fails every batch, and one line per batch would
 * flood the very disk (or console) that is already in trouble. Used by the writer thread only.
 */
final class ThrottledWarning {
    private static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Logger logger;
    private final LongSupplier nanoTime;
    private boolean warnedBefore;
    private long lastWarning;
    private long suppressed;

    ThrottledWarning(Logger logger, LongSupplier nanoTime) {
        this.logger = logger;
        this.nanoTime = nanoTime;
    }

    void warn(String format, Object... arguments) {
        long now = nanoTime.getAsLong();
        if (warnedBefore && now - lastWarning < INTERVAL_NANOS) {
            suppressed++;
            return;
        }
        warnedBefore = true;
        lastWarning = now;
        if (suppressed > 0) {
            logger.warn(format + " ({} similar warnings in the last minute not logged)",
                    append(arguments, suppressed));
            suppressed = 0;
        } else {
            logger.warn(format, arguments);
        }
    }

    private static Object[] append(Object[] arguments, Object last) {
        Object[] all = Arrays.copyOf(arguments, arguments.length + 1);
        all[arguments.length] = last;
        return all;
    }
}

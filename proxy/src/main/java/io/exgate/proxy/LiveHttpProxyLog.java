package io.exgate.proxy;

import io.exgate.metrics.HttpProxyLog;
import io.exgate.metrics.HttpProxyLogRecord;
import java.time.Duration;

/**
 * The HttpProxy log in service, which a configuration reload may replace (new folder, sizes or
 * retention). A line is never lost in the switch: the old log writes what it queued before it closes,
 * and a line that meets the old one closing goes to the new one. Counts include retired logs.
 */
final class LiveHttpProxyLog {
    private volatile HttpProxyLog current;
    private volatile long writtenBefore;
    private volatile long droppedBefore;

    LiveHttpProxyLog(HttpProxyLog first) {
        this.current = first;
    }

    void log(HttpProxyLogRecord record) {
        while (true) {
            HttpProxyLog log = current;
            if (log.offer(record) != HttpProxyLog.Offer.CLOSED) {
                return;
            }
            if (current == log) {
                log.log(record); // closed for good (exgate stopping): counted as dropped
                return;
            }
        }
    }

    /** Puts the next log in service, then writes out and closes the old one; blocks: call off the event loop. */
    synchronized void replace(HttpProxyLog next, Duration closeTimeout) {
        HttpProxyLog old = current;
        current = next;
        old.close(closeTimeout);
        writtenBefore += old.written();
        droppedBefore += old.dropped();
    }

    long written() {
        return writtenBefore + current.written();
    }

    long dropped() {
        return droppedBefore + current.dropped();
    }

    boolean close(Duration timeout) {
        return current.close(timeout);
    }
}

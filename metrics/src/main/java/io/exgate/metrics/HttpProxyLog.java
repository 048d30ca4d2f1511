package io.exgate.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Exchange HttpProxy-style log: one CSV line per proxied request, in
 * {@code <directory>/HttpProxy/<protocol>/HttpProxy_<yyyyMMddHH>-<n>.LOG}, so that tools written for
 * Exchange's own logs read exgate's unchanged.
 *
 * <p>Logging never blocks a request: {@link #log} only offers the record to a bounded queue and a
 * single daemon thread does all file work. When the queue is full or the disk fails, lines are dropped
 * and counted ({@link #dropped()}) rather than slowing or failing requests.
 */
public final class HttpProxyLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpProxyLog.class);
    /** How long {@link #close()} waits for the queue to reach the disk. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** Queued by close() to end the writer's wait at once; never written. */
    static final HttpProxyLogRecord WAKE_UP = HttpProxyLogRecord.builder("Mapi").build();

    private final BlockingQueue<HttpProxyLogRecord> queue;
    private final LogCounters counters = new LogCounters();
    private final AtomicInteger logCallsInFlight = new AtomicInteger();
    private final AtomicBoolean started = new AtomicBoolean();
    private final Thread writer;
    private volatile boolean closing;

    private HttpProxyLog(HttpProxyLogSettings settings, Clock clock) {
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.writer = new Thread(new LogWriter(queue, this, settings, clock, counters), "exgate-httpproxy-log");
        // A log must never keep the JVM alive; close() is what waits for the last lines.
        writer.setDaemon(true);
    }

    /**
     * Starts the writer thread. Does no file work on the caller's thread: folders are created, and
     * retention applied, by the writer.
     */
    public static HttpProxyLog open(HttpProxyLogSettings settings, Clock clock) {
        HttpProxyLog log = openPaused(settings, clock);
        log.start();
        return log;
    }

    /** For tests: a log whose writer starts only on {@link #start()} (or close), to fill its queue. */
    static HttpProxyLog openPaused(HttpProxyLogSettings settings, Clock clock) {
        return new HttpProxyLog(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(clock, "clock"));
    }

    void start() {
        if (started.compareAndSet(false, true)) {
            writer.start();
        }
    }

    /**
     * Queues one line without ever waiting.
     *
     * @return false when the line was dropped (queue full, or the log closed); it is then counted in
     *     {@link #dropped()}
     */
    public boolean log(HttpProxyLogRecord record) {
        Objects.requireNonNull(record, "record");
        // In flight while we look at "closing" and offer: the writer does not stop until this is back
        // to zero, so a line is either refused or written, never left behind in the queue.
        logCallsInFlight.incrementAndGet();
        try {
            if (!closing && queue.offer(record)) {
                return true;
            }
            counters.dropped(1);
            return false;
        } finally {
            logCallsInFlight.decrementAndGet();
        }
    }

    /** What {@link #offer} did with a line. */
    public enum Offer { QUEUED, DROPPED, CLOSED }

    /**
     * As {@link #log}, except that a closed log refuses the line without counting it as dropped, so that
     * the caller can hand it to the log that replaced this one (a configuration reload).
     */
    public Offer offer(HttpProxyLogRecord record) {
        Objects.requireNonNull(record, "record");
        logCallsInFlight.incrementAndGet();
        try {
            if (closing) {
                return Offer.CLOSED;
            }
            if (queue.offer(record)) {
                return Offer.QUEUED;
            }
            counters.dropped(1);
            return Offer.DROPPED;
        } finally {
            logCallsInFlight.decrementAndGet();
        }
    }

    /** Lines on disk (handed to the operating system) so far. */
    public long written() {
        return counters.written();
    }

    /** Lines given up so far: queue full, disk failing, or logged after close. */
    public long dropped() {
        return counters.dropped();
    }

    /** Writes every line queued so far, then closes the files; waits at most 30 s. */
    @Override
    public void close() {
        if (!close(CLOSE_TIMEOUT)) {
            LOG.warn("HttpProxy log: lines still queued after {}; the writer finishes them in the background",
                    CLOSE_TIMEOUT);
        }
    }

    /**
     * Writes every line queued so far, then closes the files.
     *
     * @return true when all is on disk and closed within the timeout; false leaves the writer finishing
     *     in the background
     */
    public boolean close(Duration timeout) {
        closing = true;
        start();
        queue.offer(WAKE_UP);
        try {
            writer.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !writer.isAlive();
    }

    boolean isClosing() {
        return closing;
    }

    boolean hasLogCallsInFlight() {
        return logCallsInFlight.get() > 0;
    }
}

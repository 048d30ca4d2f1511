package io.exgate.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Exchange HttpProxy-style log: one CSV line per proxied request, in
 * {@code <directory>/HttpProxy/<protocol>/HttpProxy_<yyyyMMddHH>-<n>.LOG}, so that tools written for
 * Exchange's own logs read exgate's unchanged.
 *
 * <p>Logging never blocks a request: {@link #log} encodes the line on the caller's thread (a
 * microsecond or so, while its values are still in the CPU's caches) and copies it into a bounded
 * stage; a single daemon thread does all file work, waking every 20 ms to write what gathered.
 * When the stage is full or the disk fails, lines are dropped and counted ({@link #dropped()})
 * rather than slowing or failing requests.
 */
public final class HttpProxyLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpProxyLog.class);
    /** How long {@link #close()} waits for the staged lines to reach the disk. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** Every line is encoded in its thread's reused buffer; a rare huge one is not kept. */
    private static final int LINE_BYTES = 1024;
    private static final int MAX_KEPT_LINE_BYTES = 64 * 1024;
    private static final ThreadLocal<LineBytes> LINE = ThreadLocal.withInitial(() -> new LineBytes(LINE_BYTES));

    private final StagedLines staged;
    private final LogCounters counters = new LogCounters();
    private final AtomicInteger logCallsInFlight = new AtomicInteger();
    private final AtomicBoolean started = new AtomicBoolean();
    private final Thread writer;
    private volatile boolean closing;

    private HttpProxyLog(HttpProxyLogSettings settings, Clock clock) {
        this.staged = new StagedLines(settings.queueCapacity(), StagedLines.MAX_BYTES);
        this.writer = new Thread(new LogWriter(staged, this, settings, clock, counters), "exgate-httpproxy-log");
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

    /** For tests: a log whose writer starts only on {@link #start()} (or close), to fill its stage. */
    static HttpProxyLog openPaused(HttpProxyLogSettings settings, Clock clock) {
        return new HttpProxyLog(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(clock, "clock"));
    }

    void start() {
        if (started.compareAndSet(false, true)) {
            writer.start();
        }
    }

    /**
     * Stages one line without ever waiting.
     *
     * @return false when the line was dropped (stage full, or the log closed); it is then counted in
     *     {@link #dropped()}
     */
    public boolean log(HttpProxyLogRecord record) {
        Offer offer = offer(record);
        if (offer == Offer.CLOSED) {
            counters.dropped(1); // offer() has counted a full stage already
        }
        return offer == Offer.QUEUED;
    }

    /** What {@link #offer} did with a line. */
    public enum Offer { QUEUED, DROPPED, CLOSED }

    /**
     * As {@link #log}, except that a closed log refuses the line without counting it as dropped, so that
     * the caller can hand it to the log that replaced this one (a configuration reload).
     */
    public Offer offer(HttpProxyLogRecord record) {
        Objects.requireNonNull(record, "record");
        // In flight while we look at "closing" and stage: the writer does not stop until this is back
        // to zero, so a line is either refused or written, never left behind in the stage.
        logCallsInFlight.incrementAndGet();
        try {
            if (closing) {
                return Offer.CLOSED;
            }
            if (stage(record)) {
                return Offer.QUEUED;
            }
            counters.dropped(1);
            return Offer.DROPPED;
        } finally {
            logCallsInFlight.decrementAndGet();
        }
    }

    private boolean stage(HttpProxyLogRecord record) {
        LineBytes line = LINE.get();
        line.clear();
        StagedLines.Added added;
        try {
            added = staged.add(record.folderIndex(), CsvLine.appendRow(record, line));
        } catch (RuntimeException e) {
            // A bug must cost one line, not the request that logs it.
            LOG.error("HttpProxy log: cannot encode a line", e);
            return false;
        } finally {
            if (line.capacity() > MAX_KEPT_LINE_BYTES) {
                LINE.set(new LineBytes(LINE_BYTES)); // one huge line must not pin its buffer for good
            }
        }
        if (added == StagedLines.Added.STAGED_WAKE_WRITER) {
            LockSupport.unpark(writer);
        }
        return added != StagedLines.Added.FULL;
    }

    /** Lines on disk (handed to the operating system) so far. */
    public long written() {
        return counters.written();
    }

    /** Lines given up so far: stage full, disk failing, or logged after close. */
    public long dropped() {
        return counters.dropped();
    }

    /** Writes every line staged so far, then closes the files; waits at most 30 s. */
    @Override
    public void close() {
        if (!close(CLOSE_TIMEOUT)) {
            LOG.warn("HttpProxy log: lines still staged after {}; the writer finishes them in the background",
                    CLOSE_TIMEOUT);
        }
    }

    /**
     * Writes every line staged so far, then closes the files.
     *
     * @return true when all is on disk and closed within the timeout; false leaves the writer finishing
     *     in the background
     */
    public boolean close(Duration timeout) {
        closing = true;
        start();
        LockSupport.unpark(writer);
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

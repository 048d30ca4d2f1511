package io.exgate.metrics;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of the one writer thread: takes what is queued in batches, writes each line to its
 * protocol's file, flushes at the end of every batch, and keeps the folders within their limits.
 * All file work happens here so that no request thread ever waits for a disk.
 */
final class LogWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpProxyLog.class);
    /** How long a quiet writer waits before looking again: bounds how late a line reaches the disk. */
    static final long POLL_MILLIS = 500;
    private static final int MAX_BATCH = 4096;
    /**
     * How long the writer lets lines gather once one has come. Without it a busy exgate woke this thread
     * (and wrote to the file) for almost every request, on the CPU the event loops need. Short: records
     * still queued are copied by every young collection and have left the CPU's caches by the time
     * they are formatted. At 30 000 requests/s (benchmark scenario 1), 1 ms instead of 10 ms took young
     * pauses from 1.5 to 1.2 ms; in ten alternating pairs of runs the p99 was lower in 9 and CPU per
     * request in 6 (this machine's noise hides differences under about 5%).
     */
    static final long LINGER_MILLIS = 1;
    /** Every line is encoded in one reused buffer; a rare huge one is not kept. */
    private static final int LINE_BYTES = 1024;
    private static final int MAX_KEPT_LINE_BYTES = 64 * 1024;

    private final BlockingQueue<HttpProxyLogRecord> queue;
    private final HttpProxyLog owner;
    private final Clock clock;
    private final LogCounters counters;
    private final Retention retention;
    private final Map<String, FolderLog> folders = new LinkedHashMap<>();
    private String hour;
    private LineBytes line = new LineBytes(LINE_BYTES);

    LogWriter(BlockingQueue<HttpProxyLogRecord> queue, HttpProxyLog owner, HttpProxyLogSettings settings,
            Clock clock, LogCounters counters) {
        this.queue = queue;
        this.owner = owner;
        this.clock = clock;
        this.counters = counters;
        ThrottledWarning warning = new ThrottledWarning(LOG, System::nanoTime);
        this.retention = new Retention(settings, warning);
        for (String folder : HttpProxyLogRecord.PROTOCOL_FOLDERS) {
            folders.put(folder, new FolderLog(folder, settings, counters, retention, warning));
        }
    }

    @Override
    public void run() {
        Instant start = clock.instant();
        hour = LogFileName.hourOf(start);
        applyRetention(start);
        List<HttpProxyLogRecord> batch = new ArrayList<>();
        while (true) {
            HttpProxyLogRecord first = take(owner.isClosing() ? 10 : POLL_MILLIS);
            if (first != null) {
                batch.add(first);
                linger();
                queue.drainTo(batch, MAX_BATCH - 1);
                write(batch);
                batch.clear();
            }
            housekeeping();
            // Checked in this order so that a log() racing with close() is either refused or seen here.
            if (owner.isClosing() && !owner.hasLogCallsInFlight() && queue.isEmpty()) {
                break;
            }
        }
        for (FolderLog folder : folders.values()) {
            folder.closeCurrent();
        }
    }

    private HttpProxyLogRecord take(long millis) {
        try {
            return queue.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            // Nobody interrupts this thread on purpose; closing is signalled through the owner.
            return null;
        }
    }

    private void linger() {
        if (owner.isClosing() || queue.size() >= MAX_BATCH) {
            return;
        }
        try {
            Thread.sleep(LINGER_MILLIS);
        } catch (InterruptedException e) {
            // Nobody interrupts this thread on purpose; the batch is simply written now.
        }
    }

    private void write(List<HttpProxyLogRecord> batch) {
        Instant now = clock.instant();
        for (FolderLog folder : folders.values()) {
            folder.beginBatch();
        }
        for (HttpProxyLogRecord record : batch) {
            if (record == HttpProxyLog.WAKE_UP) {
                continue;
            }
            try {
                line.clear();
                folders.get(record.protocolFolder()).append(CsvLine.appendRow(record, line), now);
            } catch (RuntimeException e) {
                // A bug must cost one line, not the writer thread (and with it every later line).
                counters.dropped(1);
                LOG.error("HttpProxy log: cannot write a line", e);
            }
        }
        for (FolderLog folder : folders.values()) {
            folder.flush();
        }
        if (line.capacity() > MAX_KEPT_LINE_BYTES) {
            line = new LineBytes(LINE_BYTES); // one huge line must not pin its buffer for good
        }
    }

    /** Once per UTC hour: close the files of the hour that ended and apply retention to every folder. */
    private void housekeeping() {
        Instant now = clock.instant();
        String nowHour = LogFileName.hourOf(now);
        if (nowHour.equals(hour)) {
            return;
        }
        hour = nowHour;
        for (FolderLog folder : folders.values()) {
            folder.closeIfBefore(nowHour);
        }
        applyRetention(now);
    }

    private void applyRetention(Instant now) {
        for (FolderLog folder : folders.values()) {
            retention.apply(folder.folder(), now, folder.fileInUse());
        }
    }
}

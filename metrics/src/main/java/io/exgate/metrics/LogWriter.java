package io.exgate.metrics;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of the one writer thread: takes the lines the request threads staged, writes each to its
 * protocol's file, flushes at the end of every batch, and keeps the folders within their limits. All
 * file work happens here so that no request thread ever waits for a disk.
 */
final class LogWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpProxyLog.class);
    /** How long a quiet writer waits before looking again: bounds how late housekeeping runs. */
    static final long POLL_MILLIS = 500;
    /**
     * How long the writer lets lines gather once one has come: this bounds how late a line reaches
     * the disk. Each wake-up takes the CPU from an event loop: waking for every batch of records (1 ms
     * apart) preempted the event loop 11 700 times in 10 s of benchmark scenario 1 on one core, this
     * wait 1 600 times. Staged lines are bytes outside any record, so gathering longer no longer makes
     * young collections copy records that wait. 5 ms made no difference that this machine could see,
     * and cost the writer more CPU per line (0.8 against 0.5 us).
     */
    static final long LINGER_MILLIS = 20;

    private final StagedLines staged;
    private final HttpProxyLog owner;
    private final Clock clock;
    private final LogCounters counters;
    private final Retention retention;
    private final FolderLog[] folders;
    private String hour;

    LogWriter(StagedLines staged, HttpProxyLog owner, HttpProxyLogSettings settings, Clock clock, LogCounters counters) {
        this.staged = staged;
        this.owner = owner;
        this.clock = clock;
        this.counters = counters;
        ThrottledWarning warning = new ThrottledWarning(LOG, System::nanoTime);
        this.retention = new Retention(settings, warning);
        List<String> names = HttpProxyLogRecord.PROTOCOL_FOLDERS;
        this.folders = new FolderLog[names.size()];
        for (int i = 0; i < folders.length; i++) {
            folders[i] = new FolderLog(names.get(i), settings, counters, retention, warning);
        }
    }

    @Override
    public void run() {
        Instant start = clock.instant();
        hour = LogFileName.hourOf(start);
        applyRetention(start);
        while (true) {
            if (!owner.isClosing()) {
                awaitLines();
            }
            List<StagedLines.Chunk> batch = staged.take();
            if (!batch.isEmpty()) {
                write(batch);
                staged.recycle(batch);
            }
            housekeeping();
            // Checked in this order so that a log() racing with close() is either refused or seen here.
            if (owner.isClosing()) {
                if (!owner.hasLogCallsInFlight() && staged.isEmpty()) {
                    break;
                }
                if (batch.isEmpty()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // a log() still staging its line
                }
            }
        }
        for (FolderLog folder : folders) {
            folder.closeCurrent();
        }
    }

    /** Sleeps until a line comes (at most POLL_MILLIS), then lets lines gather for LINGER_MILLIS. */
    private void awaitLines() {
        if (staged.isEmpty()) {
            staged.writerIdle(true);
            if (staged.isEmpty() && !owner.isClosing()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
            }
            staged.writerIdle(false);
        }
        if (!staged.isEmpty()) {
            // A request thread wakes us early when much is staged, close() when stopping. A wake-up for
            // anything else (a permit left from an earlier unpark) must not end the wait: the wait is
            // what lets lines gather into one write.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
            for (long left = deadline - System.nanoTime(); left > 0 && !owner.isClosing() && !staged.muchStaged();
                    left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
    }

    private void write(List<StagedLines.Chunk> batch) {
        Instant now = clock.instant();
        for (FolderLog folder : folders) {
            folder.beginBatch();
        }
        for (StagedLines.Chunk chunk : batch) {
            chunk.forEachLine((folder, bytes, from, length) -> {
                try {
                    folders[folder].append(bytes, from, length, now);
                } catch (RuntimeException e) {
                    // A bug must cost one line, not the writer thread (and with it every later line).
                    counters.dropped(1);
                    LOG.error("HttpProxy log: cannot write a line", e);
                }
            });
        }
        for (FolderLog folder : folders) {
            folder.flush();
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
        for (FolderLog folder : folders) {
            folder.closeIfBefore(nowHour);
        }
        applyRetention(now);
    }

    private void applyRetention(Instant now) {
        for (FolderLog folder : folders) {
            retention.apply(folder.folder(), now, folder.fileInUse());
        }
    }
}

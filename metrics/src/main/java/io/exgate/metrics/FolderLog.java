package io.exgate.metrics;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one protocol folder: the one being written, and when to start the next (new UTC hour,
 * or the size limit). A write error gives the current file up and drops the folder's lines until the
 * next batch, which tries again from scratch: a removed folder is recreated, a full disk retried.
 * Used by the writer thread only.
 */
final class FolderLog {
    private static final Logger LOG = LoggerFactory.getLogger(HttpProxyLog.class);
    private static final int CREATE_ATTEMPTS = 100;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final String protocolFolder;
    private final Path folder;
    private final HttpProxyLogSettings settings;
    private final LogCounters counters;
    private final Retention retention;
    private final ThrottledWarning warning;
    /**
     * Shared by this folder's files one after the other, so that a rollover allocates no direct memory;
     * made with the first file, so that a folder never written to costs none.
     */
    private FileBuffer buffer;

    private LogFile current;
    private boolean failedThisBatch;
    private boolean checkedThisBatch;
    private boolean failing;
    // A batch's lines share one instant: its hour is formatted once, not once per line.
    private Instant hourInstant;
    private String hourOfInstant;

    FolderLog(String protocolFolder, HttpProxyLogSettings settings, LogCounters counters,
            Retention retention, ThrottledWarning warning) {
        this.protocolFolder = protocolFolder;
        this.folder = settings.folder(protocolFolder);
        this.settings = settings;
        this.counters = counters;
        this.retention = retention;
        this.warning = warning;
    }

    Path folder() {
        return folder;
    }

    Path fileInUse() {
        return current == null ? null : current.path();
    }

    /** A new batch: a folder that failed in the last one gets another chance. */
    void beginBatch() {
        failedThisBatch = false;
        checkedThisBatch = false;
    }

    /** Appends one line to the right file; never throws, a failure counts the line as dropped. */
    void append(byte[] line, int from, int length, Instant now) {
        if (failedThisBatch) {
            counters.dropped(1);
            return;
        }
        try {
            fileFor(length, now).append(line, from, length);
        } catch (IOException e) {
            fail(e);
            counters.dropped(1);
        }
    }

    /** End of a batch: hands the lines to the OS so that they are on disk within the flush interval. */
    void flush() {
        if (current == null) {
            return;
        }
        try {
            counters.written(current.flush());
        } catch (IOException e) {
            fail(e);
        }
    }

    /** Closes the current file when it belongs to an earlier hour, so that retention may delete it. */
    void closeIfBefore(String hour) {
        if (current != null && !current.name().hour().equals(hour)) {
            closeCurrent();
        }
    }

    /** Flushes and closes the current file (shutdown, hour change, size rollover). */
    void closeCurrent() {
        if (current == null) {
            return;
        }
        LogFile closing = current;
        current = null;
        try {
            counters.written(closing.close());
        } catch (IOException e) {
            counters.dropped(closing.abandon());
            warn(e);
        }
    }

    private LogFile fileFor(long lineBytes, Instant now) throws IOException {
        if (current != null && !checkedThisBatch) {
            checkedThisBatch = true;
            // Linux lets us write on into a removed file; its lines would vanish with the inode.
            if (!current.stillThere()) {
                counters.dropped(current.abandon());
                current = null;
            }
        }
        if (now != hourInstant) {
            hourInstant = now;
            hourOfInstant = LogFileName.hourOf(now);
        }
        String hour = hourOfInstant;
        closeIfBefore(hour);
        LogFile full = null;
        if (current != null && !current.fits(lineBytes, settings.maxFileSizeBytes())) {
            full = current;
            closeCurrent();
        }
        if (current == null) {
            // A size rollover knows its number (closeIfBefore has closed any file of an earlier hour):
            // listing a folder of 100 files for it and for retention took the writer thread 1.6 ms once
            // warm and up to 60 ms before, on the event loops' core, once a second at 9 MB/s of lines.
            int after = full != null && full.name().hour().equals(hour) ? full.name().sequence() : -1;
            current = open(hour, now, after);
            checkedThisBatch = true;
            if (failing) {
                failing = false;
                LOG.info("HttpProxy log: writing to {} again", folder);
            }
            if (full != null) {
                retention.rolledOver(folder, full.path(), full.name(), full.size(), now, current.path());
            }
        }
        return current;
    }

    /**
     * The next file of this hour: one past the highest number already there (a restart never appends),
     * or past {@code after} when this folder has just filled that file (-1: look).
     */
    private LogFile open(String hour, Instant now, int after) throws IOException {
        Files.createDirectories(folder);
        if (buffer == null) {
            buffer = new FileBuffer(BUFFER_BYTES);
        }
        int sequence = (after >= 0 ? after : highestSequence(hour)) + 1;
        for (int attempt = 0; ; attempt++) {
            try {
                return LogFile.create(folder, new LogFileName(hour, sequence), now, settings.version(), buffer);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= CREATE_ATTEMPTS) {
                    throw e;
                }
                sequence++;
            }
        }
    }

    private int highestSequence(String hour) throws IOException {
        int highest = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "HttpProxy_" + hour + "-*.LOG")) {
            for (Path file : files) {
                Optional<LogFileName> name = LogFileName.parse(file.getFileName().toString());
                if (name.isPresent() && name.get().hour().equals(hour)) {
                    highest = Math.max(highest, name.get().sequence());
                }
            }
        }
        return highest;
    }

    private void fail(IOException e) {
        failedThisBatch = true;
        if (current != null) {
            counters.dropped(current.abandon());
            current = null;
        }
        warn(e);
    }

    private void warn(IOException e) {
        failing = true;
        warning.warn("HttpProxy log: cannot write {} lines to {}, dropping them until it works again: {}",
                protocolFolder, folder, e.toString());
    }
}

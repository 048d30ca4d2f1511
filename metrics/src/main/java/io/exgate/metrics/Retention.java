package io.exgate.metrics;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps one protocol folder within its limits: files older than the maximum age go, then the oldest
 * files go until the folder is under its total size. Only files named like ours are touched, never
 * the file being written. Runs on the writer thread.
 *
 * <p>{@link #apply} lists the folder (at start and once an hour); between two listings a size rollover
 * only adds the file it filled to what the last listing found ({@link #rolledOver}). A busy folder
 * rolls over every second or so, and listing, reading the attributes of and parsing the name of each of
 * its hundred files each time was the costliest thing the writer thread did. Files removed by hand
 * meanwhile are counted until the next listing: retention may then keep the folder smaller than its
 * limit for up to an hour, never larger.
 */
final class Retention {
    private final HttpProxyLogSettings settings;
    private final ThrottledWarning warning;
    /** Per folder, the files not in use as of the last listing and the rollovers since, oldest first. */
    private final Map<Path, Known> known = new HashMap<>();

    Retention(HttpProxyLogSettings settings, ThrottledWarning warning) {
        this.settings = settings;
        this.warning = warning;
    }

    /** Applies both limits to a folder; {@code inUse} (may be null) is never deleted. */
    void apply(Path folder, Instant now, Path inUse) {
        if (!Files.isDirectory(folder)) {
            known.remove(folder); // removed by hand: the next rollover lists it anew
            return;
        }
        List<Entry> files;
        try {
            files = list(folder);
        } catch (IOException e) {
            warning.warn("HttpProxy log: cannot list {} for retention: {}", folder, e.toString());
            return;
        }
        Known folderFiles = new Known();
        Entry used = null;
        for (Entry file : files) {
            if (file.path().equals(inUse)) {
                used = file;
            } else {
                folderFiles.add(file);
            }
        }
        known.put(folder, folderFiles);
        enforce(folderFiles, now, used == null ? 0 : used.size());
    }

    /**
     * A size rollover: {@code full} has been closed at {@code size} bytes and {@code inUse} started.
     * Applies the limits to what the last listing found plus the files filled since, without listing.
     */
    void rolledOver(Path folder, Path full, LogFileName name, long size, Instant now, Path inUse) {
        Known folderFiles = known.get(folder);
        if (folderFiles == null) {
            apply(folder, now, inUse);
            return;
        }
        folderFiles.add(new Entry(full, name, size, now));
        enforce(folderFiles, now, 0);
    }

    /** Deletes what is too old, then the oldest until the total (with the file in use) fits. */
    private void enforce(Known files, Instant now, long inUseBytes) {
        Instant oldestKept = now.minus(settings.maxAge());
        // Files older than the maximum age are deleted wherever they are in name order (mtimes may be touched).
        for (java.util.Iterator<Entry> it = files.entries.iterator(); it.hasNext(); ) {
            Entry file = it.next();
            if (file.modified().isBefore(oldestKept) && delete(file)) {
                it.remove();
                files.total -= file.size();
            }
        }
        for (java.util.Iterator<Entry> it = files.entries.iterator();
             it.hasNext() && files.total + inUseBytes > settings.maxTotalSizeBytes(); ) {
            Entry file = it.next();
            if (delete(file)) {
                it.remove();
                files.total -= file.size();
            }
        }
    }

    private static List<Entry> list(Path folder) throws IOException {
        List<Entry> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
            for (Path path : stream) {
                Optional<LogFileName> name = LogFileName.parse(path.getFileName().toString());
                if (name.isEmpty()) {
                    continue;
                }
                try {
                    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                    if (attributes.isRegularFile()) {
                        files.add(new Entry(path, name.get(), attributes.size(),
                                attributes.lastModifiedTime().toInstant()));
                    }
                } catch (NoSuchFileException gone) {
                    // Removed meanwhile: nothing to keep within limits.
                }
            }
        }
        // Name order is creation order (hour, then number); mtimes can tie or be touched by tools.
        files.sort(Comparator.comparing(Entry::name, LogFileName.OLDEST_FIRST));
        return files;
    }

    private boolean delete(Entry file) {
        try {
            Files.deleteIfExists(file.path());
            return true;
        } catch (IOException e) {
            warning.warn("HttpProxy log: cannot delete {}: {}", file.path(), e.toString());
            return false;
        }
    }

    private record Entry(Path path, LogFileName name, long size, Instant modified) {
    }

    /** A folder's files in name order (oldest first) and their total size. */
    private static final class Known {
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        long total;

        void add(Entry file) {
            entries.addLast(file);
            total += file.size();
        }
    }
}

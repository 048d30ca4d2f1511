package io.exgate.metrics;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Keeps one protocol folder within its limits: files older than the maximum age go, then the oldest
 * files go until the folder is under its total size. Only files named like ours are touched, never
 * the file being written. Runs on the writer thread.
 */
final class Retention {
    private final HttpProxyLogSettings settings;
    private final ThrottledWarning warning;

    Retention(HttpProxyLogSettings settings, ThrottledWarning warning) {
        this.settings = settings;
        this.warning = warning;
    }

    /** Applies both limits to a folder; {@code inUse} (may be null) is never deleted. */
    void apply(Path folder, Instant now, Path inUse) {
        if (!Files.isDirectory(folder)) {
            return;
        }
        List<Entry> files;
        try {
            files = list(folder);
        } catch (IOException e) {
            warning.warn("HttpProxy log: cannot list {} for retention: {}", folder, e.toString());
            return;
        }
        Instant oldestKept = now.minus(settings.maxAge());
        long total = files.stream().mapToLong(Entry::size).sum();
        List<Entry> kept = new ArrayList<>();
        for (Entry file : files) {
            if (!file.path().equals(inUse) && file.modified().isBefore(oldestKept) && delete(file)) {
                total -= file.size();
            } else {
                kept.add(file);
            }
        }
        for (Entry file : kept) {
            if (total <= settings.maxTotalSizeBytes()) {
                break;
            }
            if (!file.path().equals(inUse) && delete(file)) {
                total -= file.size();
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
}

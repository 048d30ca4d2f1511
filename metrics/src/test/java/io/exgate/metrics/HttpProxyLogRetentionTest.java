package io.exgate.metrics;

import static io.exgate.metrics.LogFiles.await;
import static io.exgate.metrics.LogFiles.files;
import static io.exgate.metrics.LogFiles.folder;
import static io.exgate.metrics.LogFiles.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpProxyLogRetentionTest {
    @TempDir
    Path dir;

    private static Path oldFile(Path folder, String name, int bytes, Instant modified) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(name);
        Files.write(file, new byte[bytes]);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    private static String fileName(Path file) {
        return file.getFileName().toString();
    }

    @Test
    void filesOlderThanTheMaxAgeAreDeletedAtStartAndOthersKept() throws IOException {
        MutableClock clock = new MutableClock("2024-03-10T12:00:00Z");
        Path mapi = folder(dir, "Mapi");
        Path ews = folder(dir, "Ews");
        Path tooOld = oldFile(mapi, "HttpProxy_2024020812-1.LOG", 10, Instant.parse("2024-02-08T12:59:00Z"));
        Path tooOldElsewhere = oldFile(ews, "HttpProxy_2024010100-3.LOG", 10, Instant.parse("2024-01-01T00:10:00Z"));
        Path recent = oldFile(mapi, "HttpProxy_2024021013-1.LOG", 10, Instant.parse("2024-02-10T13:00:00Z"));
        Path notOurs = oldFile(mapi, "notes.txt", 10, Instant.parse("2020-01-01T00:00:00Z"));
        Path notOursEither = oldFile(mapi, "HttpProxy_2020010100-1.LOG.bak", 10, Instant.parse("2020-01-01T00:00:00Z"));

        HttpProxyLog.open(HttpProxyLogSettings.defaults(dir, "1"), clock).close();

        assertThat(tooOld).doesNotExist();
        assertThat(tooOldElsewhere).doesNotExist();
        assertThat(recent).exists();
        assertThat(notOurs).exists();
        assertThat(notOursEither).exists();
    }

    @Test
    void filesPassTheMaxAgeWhenTheClockMovesOnWhileRunning() {
        // Real "now": the file's modification time is the real time it was written.
        MutableClock clock = new MutableClock(Instant.now());
        Path owa = folder(dir, "Owa");
        try (HttpProxyLog log = HttpProxyLog.open(HttpProxyLogSettings.defaults(dir, "1"), clock)) {
            log.log(record("Owa", "a month ago"));
            await("the first file", () -> log.written() == 1);
            Path first = files(owa).get(0);

            clock.advance(Duration.ofDays(31));
            await("the first file deleted", () -> !Files.exists(first));

            log.log(record("Owa", "today"));
        }
        List<Path> files = files(owa);
        assertThat(files).singleElement().satisfies(file -> {
            assertThat(fileName(file)).isEqualTo("HttpProxy_"
                    + LogFileName.hourOf(clock.instant()) + "-1.LOG");
            assertThat(LogFiles.rows(file)).extracting(row -> row.get("RequestId")).containsExactly("today");
        });
    }

    @Test
    void theOldestFilesAreDeletedFirstToStayWithinTheTotalSize() throws IOException {
        Instant now = Instant.parse("2024-03-10T12:00:00Z");
        MutableClock clock = new MutableClock(now);
        Path mapi = folder(dir, "Mapi");
        // Names give the order; the 10-hour-old file has a newer mtime to show that names decide.
        Path a = oldFile(mapi, "HttpProxy_2024031002-1.LOG", 3000, now.minus(10, ChronoUnit.HOURS));
        Path b = oldFile(mapi, "HttpProxy_2024031002-2.LOG", 3000, now.minus(5, ChronoUnit.HOURS));
        Path c = oldFile(mapi, "HttpProxy_2024031009-1.LOG", 3000, now.minus(3, ChronoUnit.HOURS));
        Path d = oldFile(mapi, "HttpProxy_2024031010-1.LOG", 3000, now.minus(2, ChronoUnit.HOURS));
        Path e = oldFile(mapi, "HttpProxy_2024031011-1.LOG", 3000, now.minus(1, ChronoUnit.HOURS));
        HttpProxyLogSettings settings = new HttpProxyLogSettings(dir, 10_000, Duration.ofDays(30), 10_000, 100, "1");

        HttpProxyLog.open(settings, clock).close();

        assertThat(a).doesNotExist();
        assertThat(b).doesNotExist();
        assertThat(List.of(c, d, e)).allSatisfy(file -> assertThat(file).exists());
    }

    @Test
    void sizeRolloverKeepsTheFolderWithinItsTotalSizeKeepingTheNewestFiles() throws IOException {
        MutableClock clock = new MutableClock("2024-03-10T12:00:00Z");
        long headerBytes = CsvLine.header("1", clock.instant()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        long maxFileSize = headerBytes + 1000;
        long maxTotal = 3 * maxFileSize;
        HttpProxyLogSettings settings = new HttpProxyLogSettings(dir, maxFileSize, Duration.ofDays(30),
                maxTotal, 1000, "1");
        try (HttpProxyLog log = HttpProxyLog.open(settings, clock)) {
            for (int i = 0; i < 100; i++) {
                log.log(HttpProxyLogRecord.builder("Ecp")
                        .set(HttpProxyField.RequestId, "r" + i)
                        .set(HttpProxyField.UserAgent, "x".repeat(200))
                        .build());
            }
        }
        List<Path> files = files(folder(dir, "Ecp"));
        long total = 0;
        for (Path file : files) {
            total += Files.size(file);
        }
        // Retention runs when a new file starts; the newest file may then grow to its own limit.
        assertThat(total).isLessThanOrEqualTo(maxTotal + maxFileSize);
        assertThat(files.size()).isBetween(2, 4);
        int newest = LogFileName.parse(fileName(files.get(files.size() - 1))).orElseThrow().sequence();
        assertThat(newest).isGreaterThan(20);
        assertThat(files).extracting(f -> LogFileName.parse(fileName(f)).orElseThrow().sequence())
                .as("the newest files, without a gap")
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(newest - files.size() + 1, newest)
                        .boxed().toList());
        assertThat(LogFiles.rows(files.get(files.size() - 1)))
                .extracting(row -> row.get("RequestId")).contains("r99");
    }

    private static HttpProxyLogRecord ecp(String requestId) {
        return HttpProxyLogRecord.builder("Ecp").set(HttpProxyField.RequestId, requestId)
                .set(HttpProxyField.UserAgent, "x".repeat(200)).build();
    }

    @Test
    void rolloversCountTheFilesAnEarlierRunLeftAndDeleteThoseFirst() throws IOException {
        Instant now = Instant.parse("2024-03-10T12:00:00Z");
        MutableClock clock = new MutableClock(now);
        long headerBytes = CsvLine.header("1", now).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        long maxFileSize = headerBytes + 1000;
        long maxTotal = 6 * maxFileSize;
        Path ecp = folder(dir, "Ecp");
        // Left by an earlier run, within the total size at start: only the rollovers can push them out.
        Path a = oldFile(ecp, "HttpProxy_2024031010-1.LOG", (int) maxFileSize, now.minus(2, ChronoUnit.HOURS));
        Path b = oldFile(ecp, "HttpProxy_2024031011-1.LOG", (int) maxFileSize, now.minus(1, ChronoUnit.HOURS));
        Path c = oldFile(ecp, "HttpProxy_2024031012-1.LOG", (int) maxFileSize, now.minus(1, ChronoUnit.MINUTES));
        HttpProxyLogSettings settings = new HttpProxyLogSettings(dir, maxFileSize, Duration.ofDays(30), maxTotal, 1000, "1");
        try (HttpProxyLog log = HttpProxyLog.open(settings, clock)) {
            // Four lines fill a file: 12 rollovers, each of which must count the earlier run's files.
            for (int i = 0; i < 50; i++) {
                log.log(ecp("r" + i));
            }
        }
        assertThat(a).as("the oldest goes first").doesNotExist();
        assertThat(b).doesNotExist();
        assertThat(c).doesNotExist();
        List<Path> files = files(ecp);
        long total = 0;
        for (Path file : files) {
            total += Files.size(file);
        }
        assertThat(total).isLessThanOrEqualTo(maxTotal + maxFileSize);
        assertThat(files).extracting(f -> LogFileName.parse(fileName(f)).orElseThrow().hour()).containsOnly("2024031012");
        assertThat(LogFileName.parse(fileName(files.get(0))).orElseThrow().sequence())
                .as("this run's files follow the earlier run's file of the same hour").isGreaterThan(1);
    }

    @Test
    void aRolloverNeverWritesIntoAFileThatAppearedMeanwhile() throws IOException {
        MutableClock clock = new MutableClock("2024-03-10T12:00:00Z");
        long headerBytes = CsvLine.header("1", clock.instant()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        long maxFileSize = headerBytes + 1000;
        HttpProxyLogSettings settings = new HttpProxyLogSettings(dir, maxFileSize, Duration.ofDays(30), 100 * maxFileSize, 1000, "1");
        Path ecp = folder(dir, "Ecp");
        try (HttpProxyLog log = HttpProxyLog.open(settings, clock)) {
            log.log(ecp("first"));
            await("the first file", () -> log.written() == 1);
            // Another exgate writing to the same folder by mistake, or a file copied back by hand.
            Path foreign = ecp.resolve("HttpProxy_2024031012-2.LOG");
            Files.writeString(foreign, "not ours\n");
            for (int i = 0; i < 12; i++) {
                log.log(ecp("r" + i));
            }
            await("every line written", () -> log.written() == 13);
            assertThat(foreign).hasContent("not ours");
        }
        List<Integer> sequences = files(ecp).stream().map(f -> LogFileName.parse(fileName(f)).orElseThrow().sequence()).toList();
        assertThat(sequences).as("file 2 skipped, the others in order, none lost")
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, sequences.size()).boxed().toList())
                .hasSizeGreaterThan(3);
        assertThat(LogFiles.allRows(ecp)).extracting(row -> row.get("RequestId")).contains("first", "r11");
    }
}

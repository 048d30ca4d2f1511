package io.exgate.metrics;

import static io.exgate.metrics.LogFiles.allRows;
import static io.exgate.metrics.LogFiles.await;
import static io.exgate.metrics.LogFiles.files;
import static io.exgate.metrics.LogFiles.folder;
import static io.exgate.metrics.LogFiles.record;
import static io.exgate.metrics.LogFiles.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpProxyLogFilesTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock("2024-03-10T12:34:56.789Z");

    private static String fileName(Path file) {
        return file.getFileName().toString();
    }

    @Test
    void eachProtocolWritesToItsOwnFolderInAFileNamedForTheUtcHour() {
        try (HttpProxyLog log = HttpProxyLog.open(HttpProxyLogSettings.defaults(dir, "1"), clock)) {
            for (String protocol : HttpProxyLogRecord.PROTOCOL_FOLDERS) {
                log.log(record(protocol, "id-" + protocol));
            }
        }
        for (String protocol : HttpProxyLogRecord.PROTOCOL_FOLDERS) {
            List<Path> files = files(folder(dir, protocol));
            assertThat(files).as(protocol).hasSize(1);
            assertThat(fileName(files.get(0))).isEqualTo("HttpProxy_2024031012-1.LOG")
                    .matches("HttpProxy_\\d{10}-1\\.LOG");
            assertThat(rows(files.get(0))).singleElement()
                    .satisfies(row -> assertThat(row.get("RequestId")).isEqualTo("id-" + protocol));
        }
        assertThat(dir.resolve("HttpProxy/Mapi")).isDirectory();
        assertThat(dir.resolve("HttpProxy/RpcHttp")).isDirectory();
    }

    @Test
    void aLineIsOnDiskSoonAfterItWasLoggedWithoutClosing() {
        try (HttpProxyLog log = HttpProxyLog.open(HttpProxyLogSettings.defaults(dir, "1"), clock)) {
            log.log(record("Ews", "early"));
            await("the line on disk", () -> files(folder(dir, "Ews")).size() == 1
                    && LogFiles.text(files(folder(dir, "Ews")).get(0)).contains(",early,"));
            assertThat(log.written()).isEqualTo(1);
        }
    }

    @Test
    void aFileThatWouldPassTheMaxSizeIsFollowedByTheNextNumberWithItsOwnHeader() throws IOException {
        long headerBytes = CsvLine.header("1", clock.instant()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        long maxFileSize = headerBytes + 1000;
        HttpProxyLogSettings settings = new HttpProxyLogSettings(dir, maxFileSize, Duration.ofDays(30),
                Long.MAX_VALUE, 1000, "1");
        int lines = 40;
        try (HttpProxyLog log = HttpProxyLog.open(settings, clock)) {
            for (int i = 0; i < lines; i++) {
                // Multi-byte characters: the limit is in bytes, not characters.
                log.log(HttpProxyLogRecord.builder("Mapi")
                        .set(HttpProxyField.RequestId, "r" + i)
                        .set(HttpProxyField.UserAgent, "Grüße 日本語 ".repeat(10))
                        .build());
            }
        }
        List<Path> files = files(folder(dir, "Mapi"));
        assertThat(files.size()).isGreaterThan(3);
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            assertThat(fileName(file)).isEqualTo("HttpProxy_2024031012-" + (i + 1) + ".LOG");
            assertThat(LogFiles.text(file)).startsWith(HttpProxyFieldTest.EXCHANGE_FIELDS + "\r\n#Software: exgate\r\n");
            assertThat(LogFiles.header(file)).hasSize(74);
            assertThat(rows(file)).isNotEmpty();
            assertThat(Files.size(file)).isLessThanOrEqualTo(maxFileSize);
        }
        assertThat(allRows(folder(dir, "Mapi"))).extracting(row -> row.get("RequestId"))
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, lines).mapToObj(i -> "r" + i).toList());
    }

    @Test
    void aLineLargerThanTheMaxSizeStillGetsWrittenInAFileOfItsOwn() {
        HttpProxyLogSettings settings = new HttpProxyLogSettings(dir, 100, Duration.ofDays(30),
                Long.MAX_VALUE, 1000, "1");
        try (HttpProxyLog log = HttpProxyLog.open(settings, clock)) {
            log.log(record("Oab", "a"));
            log.log(record("Oab", "b"));
            assertThat(log.close(Duration.ofSeconds(10))).isTrue();
            assertThat(log.written()).isEqualTo(2);
        }
        assertThat(files(folder(dir, "Oab"))).hasSize(2)
                .allSatisfy(file -> assertThat(rows(file)).hasSize(1));
    }

    @Test
    void aNewUtcHourStartsANewFileNamedForThatHour() {
        clock.set(java.time.Instant.parse("2024-03-10T12:59:59.900Z"));
        try (HttpProxyLog log = HttpProxyLog.open(HttpProxyLogSettings.defaults(dir, "1"), clock)) {
            log.log(record("RpcHttp", "before"));
            await("the first line written", () -> log.written() == 1);
            clock.set(java.time.Instant.parse("2024-03-10T13:00:00.250Z"));
            log.log(record("RpcHttp", "after"));
        }
        List<Path> files = files(folder(dir, "RpcHttp"));
        assertThat(files).extracting(HttpProxyLogFilesTest::fileName)
                .containsExactly("HttpProxy_2024031012-1.LOG", "HttpProxy_2024031013-1.LOG");
        assertThat(rows(files.get(0))).extracting(row -> row.get("RequestId")).containsExactly("before");
        assertThat(rows(files.get(1))).extracting(row -> row.get("RequestId")).containsExactly("after");
        assertThat(LogFiles.text(files.get(1))).contains("\r\n#Date: 2024-03-10T13:00:00.250Z\r\n");
    }

    @Test
    void aRestartInTheSameHourStartsTheNextNumberInsteadOfAppending() {
        for (String id : new String[] {"first run", "second run"}) {
            try (HttpProxyLog log = HttpProxyLog.open(HttpProxyLogSettings.defaults(dir, "1"), clock)) {
                log.log(record("Autodiscover", id));
            }
        }
        List<Path> files = files(folder(dir, "Autodiscover"));
        assertThat(files).extracting(HttpProxyLogFilesTest::fileName)
                .containsExactly("HttpProxy_2024031012-1.LOG", "HttpProxy_2024031012-2.LOG");
        assertThat(rows(files.get(1))).extracting((CSVRecord row) -> row.get("RequestId")).containsExactly("second run");
    }
}

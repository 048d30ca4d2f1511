package io.exgate.metrics;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Reading the logs back as an administrator's tools would, and waiting for the writer thread. */
final class LogFiles {
    /** Import-Csv's view: the first row names the columns, the # lines are skipped. */
    static final CSVFormat AS_IMPORT_CSV = CSVFormat.DEFAULT.builder()
            .setCommentMarker('#')
            .setHeader()
            .setSkipHeaderRecord(true)
            .get();

    private LogFiles() {
    }

    static Path folder(Path directory, String protocol) {
        return directory.resolve("HttpProxy").resolve(protocol);
    }

    /** The log files of a folder, oldest first (by hour, then number). */
    static List<Path> files(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> LogFileName.parse(f.getFileName().toString()).isPresent())
                    .sorted(Comparator.comparing(f -> LogFileName.parse(f.getFileName().toString()).orElseThrow(),
                            LogFileName.OLDEST_FIRST))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<CSVRecord> rows(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser parser = CSVParser.builder().setReader(reader).setFormat(AS_IMPORT_CSV).get()) {
            return parser.getRecords();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> header(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser parser = CSVParser.builder().setReader(reader).setFormat(AS_IMPORT_CSV).get()) {
            return parser.getHeaderNames();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<CSVRecord> allRows(Path folder) {
        List<CSVRecord> rows = new ArrayList<>();
        for (Path file : files(folder)) {
            rows.addAll(rows(file));
        }
        return rows;
    }

    static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 10 s: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    static HttpProxyLogRecord record(String protocol, String requestId) {
        return HttpProxyLogRecord.builder(protocol)
                .set(HttpProxyField.DateTime, "2024-03-10T12:00:00.000Z")
                .set(HttpProxyField.RequestId, requestId)
                .set(HttpProxyField.Protocol, protocol)
                .set(HttpProxyField.UrlStem, "/" + protocol.toLowerCase(java.util.Locale.ROOT) + "/emsmdb/")
                .set(HttpProxyField.HttpStatus, "200")
                .set(HttpProxyField.Method, "POST")
                .build();
    }
}

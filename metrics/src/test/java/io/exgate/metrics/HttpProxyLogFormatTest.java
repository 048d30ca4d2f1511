package io.exgate.metrics;

import static io.exgate.metrics.LogFiles.files;
import static io.exgate.metrics.LogFiles.folder;
import static io.exgate.metrics.LogFiles.record;
import static io.exgate.metrics.LogFiles.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpProxyLogFormatTest {
    @TempDir
    Path dir;

    private Path writeOne(MutableClock clock, HttpProxyLogRecord... records) {
        try (HttpProxyLog log = HttpProxyLog.open(HttpProxyLogSettings.defaults(dir, "0.1.0"), clock)) {
            for (HttpProxyLogRecord r : records) {
                assertThat(log.log(r)).isTrue();
            }
        }
        List<Path> files = files(folder(dir, records[0].protocolFolder()));
        assertThat(files).hasSize(1);
        return files.get(0);
    }

    @Test
    void aFileStartsWithThePlainCsvHeaderThenTheFiveHashLines() {
        Path file = writeOne(new MutableClock("2023-01-09T19:00:00.130Z"), record("Mapi", "r1"));
        String[] lines = LogFiles.text(file).split("\r\n", -1);
        assertThat(lines[0]).isEqualTo(HttpProxyFieldTest.EXCHANGE_FIELDS);
        assertThat(lines[0].split(",")).hasSize(74);
        assertThat(Arrays.copyOfRange(lines, 1, 6)).containsExactly(
                "#Software: exgate",
                "#Version: 0.1.0",
                "#Log-type: HttpProxy Logs",
                "#Date: 2023-01-09T19:00:00.130Z",
                "#Fields: " + HttpProxyFieldTest.EXCHANGE_FIELDS);
        assertThat(lines[6]).startsWith("2024-03-10T12:00:00.000Z,r1,");
        assertThat(lines).hasSize(8); // header, five # lines, one row, and "" after the last CRLF
        assertThat(lines[7]).isEmpty();
    }

    @Test
    void theDateLineKeepsItsMillisecondsOnAWholeSecond() {
        Path file = writeOne(new MutableClock("2023-01-09T19:00:00Z"), record("Ews", "r1"));
        assertThat(LogFiles.text(file)).contains("\r\n#Date: 2023-01-09T19:00:00.000Z\r\n");
    }

    @Test
    void filesAreUtf8WithoutBomWithCrlfLineEnds() throws IOException {
        HttpProxyLogRecord record = HttpProxyLogRecord.builder("Owa")
                .set(HttpProxyField.AuthenticatedUser, "CONTOSO\\jürgen.müller")
                .set(HttpProxyField.UserAgent, "Outlook 日本語 \uD83D\uDCE7")
                .build();
        Path file = writeOne(new MutableClock("2023-01-09T19:00:00Z"), record);
        byte[] bytes = Files.readAllBytes(file);
        assertThat(new String(bytes, 0, 9, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("DateTime,");
        String text = LogFiles.text(file);
        assertThat(text.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
        assertThat(rows(file).get(0).get("AuthenticatedUser")).isEqualTo("CONTOSO\\jürgen.müller");
        assertThat(rows(file).get(0).get("UserAgent")).isEqualTo("Outlook 日本語 \uD83D\uDCE7");
    }

    @Test
    void valuesWithCommasQuotesAndLineBreaksReadBackExactlyWithACsvParser() {
        String[] awkward = {
            "a,b,c",
            "say \"hello\"",
            "\"",
            "line1\r\nline2",
            "cr\ronly",
            "lf\nonly",
            "\n#not a comment",
            ",",
            "BeginRequest=2023-01-09T19:00:00.130Z;ProxyState-Run=None;",
            "  spaces kept  ",
        };
        List<HttpProxyLogRecord> records = new ArrayList<>();
        for (int i = 0; i < awkward.length; i++) {
            HttpProxyLogRecord.Builder builder = HttpProxyLogRecord.builder("Mapi")
                    .set(HttpProxyField.RequestId, "r" + i);
            // Each awkward value in several places, the first and last column included.
            builder.set(HttpProxyField.DateTime, awkward[i]);
            builder.set(HttpProxyField.ClientRequestId, awkward[i]);
            builder.set(HttpProxyField.GenericErrors, awkward[i]);
            builder.set(HttpProxyField.RoutingStatus, awkward[i]);
            records.add(builder.build());
        }
        Path file = writeOne(new MutableClock("2023-01-09T19:00:00Z"), records.toArray(HttpProxyLogRecord[]::new));

        assertThat(LogFiles.header(file)).containsExactly(HttpProxyFieldTest.EXCHANGE_FIELDS.split(","));
        List<CSVRecord> rows = rows(file);
        assertThat(rows).hasSize(awkward.length);
        for (int i = 0; i < awkward.length; i++) {
            CSVRecord row = rows.get(i);
            assertThat(row.size()).isEqualTo(74);
            for (HttpProxyField field : HttpProxyField.values()) {
                assertThat(row.get(field.headerName())).as("row %d %s", i, field)
                        .isEqualTo(records.get(i).get(field));
            }
        }
    }
}

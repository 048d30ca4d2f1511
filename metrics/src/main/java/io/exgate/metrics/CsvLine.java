package io.exgate.metrics;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The text of the files: the header block and one CSV row per record, CRLF-terminated as Exchange writes them. */
final class CsvLine {
    static final String CRLF = "\r\n";
    static final String FIELD_NAMES = Arrays.stream(HttpProxyField.values())
            .map(HttpProxyField::headerName)
            .collect(Collectors.joining(","));

    // Always three fraction digits: ISO_INSTANT would drop them on a whole second, unlike Exchange.
    private static final DateTimeFormatter DATE = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final HttpProxyField[] FIELDS = HttpProxyField.values();

    private CsvLine() {
    }

    /**
     * The top of every file. The plain field-name row comes first (Exchange's CSV-compatible mode) so
     * that Import-Csv takes it as the header; the # lines after it are for W3C-style readers.
     */
    static String header(String version, Instant created) {
        return FIELD_NAMES + CRLF
                + "#Software: exgate" + CRLF
                + "#Version: " + version + CRLF
                + "#Log-type: HttpProxy Logs" + CRLF
                + "#Date: " + DATE.format(created) + CRLF
                + "#Fields: " + FIELD_NAMES + CRLF;
    }

    /** One data row with its CRLF. */
    static String row(HttpProxyLogRecord record) {
        return appendRow(record, new StringBuilder(640)).toString();
    }

    /**
     * Appends one data row with its CRLF. The writer thread reuses one builder for every line: a
     * builder and a String per ~600-character line were most of what its thread allocated.
     */
    static StringBuilder appendRow(HttpProxyLogRecord record, StringBuilder line) {
        for (int i = 0; i < FIELDS.length; i++) {
            if (i > 0) {
                line.append(',');
            }
            appendValue(line, record.get(FIELDS[i]));
        }
        return line.append(CRLF);
    }

    /** RFC 4180 quoting, only where needed: most values are plain and stay readable in a text editor. */
    static void appendValue(StringBuilder line, String value) {
        if (!needsQuotes(value)) {
            line.append(value);
            return;
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                line.append('"');
            }
            line.append(c);
        }
        line.append('"');
    }

    private static boolean needsQuotes(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '"' || c == '\r' || c == '\n') {
                return true;
            }
        }
        return false;
    }
}

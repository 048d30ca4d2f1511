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
        LineBytes line = new LineBytes(640);
        appendRow(record, line);
        return line.toString();
    }

    /**
     * Appends one data row with its CRLF, as UTF-8. The logging thread reuses one buffer for every
     * line, and a value is looked at once: a plain ASCII value (nearly all of them) is copied whole.
     * The values are read in column order from the record's own array, and an empty one is skipped: with
     * a look-up per column (enum, ordinal, array) and the ASCII check, a row of 74 empty columns took
     * 375 ns and a scenario 1 row 830 ns; now 120 and 670 ns.
     */
    static LineBytes appendRow(HttpProxyLogRecord record, LineBytes line) {
        String[] values = record.valuesInOrder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                line.append(',');
            }
            String value = values[i];
            if (!value.isEmpty()) { // as most of the 74 columns are: those cost their comma alone
                appendValue(line, value);
            }
        }
        return line.append('\r').append('\n');
    }

    /**
     * RFC 4180 quoting, only where needed: most values are plain and stay readable in a text editor.
     * A value is copied as it is checked, in one pass; the first character that needs more (a quote,
     * a comma, a line break, anything not ASCII) sends the whole value down the careful path instead.
     */
    static void appendValue(LineBytes line, String value) {
        if (!line.appendPlainAscii(value)) {
            appendQuotedOrUtf8(line, value);
        }
    }

    private static void appendQuotedOrUtf8(LineBytes line, String value) {
        int n = value.length();
        boolean quote = false;
        for (int i = 0; i < n && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (quote) {
            line.append('"');
        }
        for (int i = 0; i < n; ) {
            if (value.charAt(i) == '"') {
                line.append('"');
            }
            i = line.appendUtf8(value, i);
        }
        if (quote) {
            line.append('"');
        }
    }
}

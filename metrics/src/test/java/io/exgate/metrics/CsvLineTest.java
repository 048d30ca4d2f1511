package io.exgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsvLineTest {
    @Test
    void onlyValuesWithCommaQuoteOrLineBreakAreQuotedWithInnerQuotesDoubled() {
        assertThat(quoted("plain value; with=semicolons")).isEqualTo("plain value; with=semicolons");
        assertThat(quoted("")).isEmpty();
        assertThat(quoted("a,b")).isEqualTo("\"a,b\"");
        assertThat(quoted("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(quoted("a\rb")).isEqualTo("\"a\rb\"");
        assertThat(quoted("a\nb")).isEqualTo("\"a\nb\"");
    }

    @Test
    void aRowHasSeventyFourValuesAndEndsWithCrlf() {
        String row = CsvLine.row(HttpProxyLogRecord.builder("Mapi").build());
        assertThat(row).isEqualTo(",".repeat(73) + "\r\n");
    }

    private static String quoted(String value) {
        StringBuilder line = new StringBuilder();
        CsvLine.appendValue(line, value);
        return line.toString();
    }
}

package io.exgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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

    @Test
    void utf8LengthIsTheEncodedLength() {
        for (String text : new String[] {"", "ascii", "Grüße", "日本語", "emoji \uD83D\uDCE7 mail", "é,\"\r\n"}) {
            assertThat(CsvLine.utf8Length(text)).as(text).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        }
        // A lone surrogate is written as '?', one byte.
        assertThat(CsvLine.utf8Length("a\uD83Db")).isEqualTo(3);
    }

    private static String quoted(String value) {
        StringBuilder line = new StringBuilder();
        CsvLine.appendValue(line, value);
        return line.toString();
    }
}

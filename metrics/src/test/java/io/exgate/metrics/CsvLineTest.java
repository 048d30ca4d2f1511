package io.exgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
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
    void aRowIsTheUtf8OfItsQuotedValuesWhateverTheyHold() {
        // Values as the log sees them: plain ASCII, non-ASCII names, emoji, lone surrogates from broken
        // headers, and the characters that force quoting. The JDK's encoder is the reference (it also
        // writes '?' for a lone surrogate).
        String[] pieces = {"MAPI", "user@contoso.com", "Grüße", "日本語", "\uD83D\uDCE7", "\uD83D", "\uDCE7", ",", "\"", "\r", "\n", " ", ""};
        Random rnd = new Random(42);
        HttpProxyField[] fields = HttpProxyField.values();
        for (int run = 0; run < 200; run++) {
            HttpProxyLogRecord.Builder builder = HttpProxyLogRecord.builder("Mapi");
            StringBuilder expected = new StringBuilder();
            for (int f = 0; f < fields.length; f++) {
                StringBuilder value = new StringBuilder();
                for (int k = rnd.nextInt(4); k > 0; k--) {
                    value.append(pieces[rnd.nextInt(pieces.length)]);
                }
                builder.set(fields[f], value.toString());
                String v = value.toString();
                boolean quote = v.contains(",") || v.contains("\"") || v.contains("\r") || v.contains("\n");
                expected.append(f > 0 ? "," : "").append(quote ? "\"" + v.replace("\"", "\"\"") + "\"" : v);
            }
            LineBytes line = new LineBytes(8); // small, so that it has to grow
            CsvLine.appendRow(builder.build(), line);
            assertThat(java.util.Arrays.copyOf(line.array(), line.size()))
                    .isEqualTo(expected.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String quoted(String value) {
        LineBytes line = new LineBytes(4);
        CsvLine.appendValue(line, value);
        return line.toString();
    }
}

package io.exgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LineBytesTest {
    @Test
    void encodesAsTheJdkDoesWhileGrowing() {
        String text = "ascii, Grüße, 日本語, emoji \uD83D\uDCE7 mail, a lone \uD83D surrogate and a lone \uDCE7 one".repeat(40);
        LineBytes line = new LineBytes(1);
        line.appendText(text);
        // The JDK writes '?' for a lone surrogate too.
        assertThat(Arrays.copyOf(line.array(), line.size())).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        assertThat(line.toString()).isEqualTo(new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    @Test
    void aClearedLineStartsOverInTheSameBuffer() {
        LineBytes line = new LineBytes(4);
        line.appendText("Mapi,200");
        byte[] grown = line.array();
        line.clear();
        line.appendText("Ews");
        assertThat(line.array()).isSameAs(grown);
        assertThat(line.toString()).isEqualTo("Ews");
    }

    @Test
    void aPlainValueIsCopiedAndAnyOtherLeavesTheLineAsItWas() {
        LineBytes line = new LineBytes(2);
        assertThat(line.appendPlainAscii("Outlook/16.0 (Windows NT 10.0)\t")).isTrue();
        for (String other : new String[] {"a,b", "say \"hi\"", "two\r\nlines", "Grüße", "日本", "bell\u0007", "del\u007F"}) {
            assertThat(line.appendPlainAscii(other)).as(other).isFalse();
        }
        assertThat(line.toString()).isEqualTo("Outlook/16.0 (Windows NT 10.0)\t");
    }

    @Test
    void everyCharacterIsPlainExactlyWhenPrintableAsciiOrTabButNotACommaOrAQuote() {
        LineBytes line = new LineBytes(16);
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            boolean plain = c == '\t' || c >= 0x20 && c < 0x7F && c != ',' && c != '"';
            line.clear();
            // In the middle of plain text, so that a loop that looks at only some positions would miss it.
            assertThat(line.appendPlainAscii("ab" + c + "cd")).as("U+%04X", (int) c).isEqualTo(plain);
            assertThat(line.size()).isEqualTo(plain ? 5 : 0);
        }
    }
}

package io.exgate.proxy.http;

import java.time.Instant;

/**
 * {@link Instant#toString()}'s text, character for character, for the HttpProxy log's DateTime: the
 * date and time of day are formatted once per second, only the fraction per line (the formatter showed
 * in profiles at one call per request).
 */
final class IsoInstant {
    /** One second's text without the 'Z'; immutable, so event loops may share it without locking. */
    private record Second(long epochSecond, String text) {
    }

    private static volatile Second last = new Second(Long.MIN_VALUE, "");

    private IsoInstant() {
    }

    static String format(Instant t) {
        Second s = last;
        if (s.epochSecond() != t.getEpochSecond()) {
            String whole = Instant.ofEpochSecond(t.getEpochSecond()).toString();
            s = new Second(t.getEpochSecond(), whole.substring(0, whole.length() - 1));
            last = s;
        }
        int nano = t.getNano();
        StringBuilder b = new StringBuilder(s.text().length() + 11).append(s.text());
        if (nano > 0) {
            // As ISO_INSTANT: the fraction in groups of three digits, as many as it needs.
            int digits = nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
            String all = Integer.toString(1_000_000_000 + nano); // "1" and nine digits, leading zeros kept
            b.append('.').append(all, 1, 1 + digits);
        }
        return b.append('Z').toString();
    }
}

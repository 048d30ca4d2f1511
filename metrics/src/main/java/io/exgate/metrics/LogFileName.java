package io.exgate.metrics;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code HttpProxy_<yyyyMMddHH>-<n>.LOG}: the UTC hour and the file's number within that hour.
 * Collectors glob on this shape, and retention finds its own files (and only those) by it.
 */
record LogFileName(String hour, int sequence) {
    static final Comparator<LogFileName> OLDEST_FIRST =
            Comparator.comparing(LogFileName::hour).thenComparingInt(LogFileName::sequence);

    private static final DateTimeFormatter HOUR = DateTimeFormatter
            .ofPattern("yyyyMMddHH", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile("HttpProxy_(\\d{10})-(\\d{1,9})\\.LOG");

    /** The hour key of an instant; as a string it sorts in time order. */
    static String hourOf(Instant instant) {
        return HOUR.format(instant);
    }

    static Optional<LogFileName> parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new LogFileName(m.group(1), Integer.parseInt(m.group(2))));
    }

    @Override
    public String toString() {
        return "HttpProxy_" + hour + '-' + sequence + ".LOG";
    }
}

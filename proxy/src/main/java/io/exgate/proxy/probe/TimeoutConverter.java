package io.exgate.proxy.probe;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --timeout}: a number and a unit ({@code ms}, {@code s}, {@code m}), as durations are written in exgate's configuration. */
final class TimeoutConverter implements ITypeConverter<Duration> {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    @Override
    public Duration convert(String value) {
        Matcher m = DURATION.matcher(value.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "': expected a number and a unit (ms, s or m), e.g. 5s");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
        if (d.isZero() || d.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new TypeConversionException("'" + value + "': must be more than 0 and at most 10m");
        }
        return d;
    }
}

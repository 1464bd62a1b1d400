package io.baton.node.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses durations such as {@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 2m}, {@code 1h} (or ISO-8601 {@code PT5S}). */
final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    static Duration parse(String value) {
        String text = value.trim();
        Duration d;
        Matcher m = SIMPLE.matcher(text);
        if (m.matches()) {
            BigDecimal amount = new BigDecimal(m.group(1));
            long millisPerUnit = switch (m.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1_000L;
                case "m" -> 60_000L;
                default -> 3_600_000L;
            };
            BigDecimal nanos = amount.multiply(BigDecimal.valueOf(millisPerUnit * 1_000_000L));
            if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                throw invalid(value);
            }
            d = Duration.ofNanos(nanos.longValue());
        } else if (text.toUpperCase().startsWith("PT")) {
            try {
                d = Duration.parse(text);
            } catch (RuntimeException e) {
                throw invalid(value);
            }
        } else {
            throw invalid(value);
        }
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("invalid duration '" + value + "' (must be positive)");
        }
        return d;
    }

    /** Short form for messages: 500ms, 10s, 1.5s. */
    static String format(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s";
    }

    private static IllegalArgumentException invalid(String value) {
        return new IllegalArgumentException("invalid duration '" + value + "' (expected e.g. 500ms, 5s, 2m)");
    }
}

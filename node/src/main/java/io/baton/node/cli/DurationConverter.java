package io.baton.node.cli;

import io.baton.node.config.DurationParser;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations on the command line, in the cluster file's grammar ({@link DurationParser}: {@code 500ms},
 * {@code 5s}, {@code 1.5s}, {@code 2m}, {@code 1h}) or ISO-8601 ({@code PT5S}); positive.
 */
final class DurationConverter implements ITypeConverter<Duration> {

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
        if (text.toUpperCase().startsWith("PT")) {
            try {
                d = Duration.parse(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + value + "' is not a duration; expected e.g. 500ms, 5s, 2m or PT5S");
            }
        } else {
            d = DurationParser.parse(text);
        }
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("'" + value + "' is not a positive duration");
        }
        return d;
    }

    /** As the cluster file writes it: 500ms, 10s, 1.5s, 2m. */
    static String format(Duration d) {
        return DurationParser.format(d);
    }
}

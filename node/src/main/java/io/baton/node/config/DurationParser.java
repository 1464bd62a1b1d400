package io.baton.node.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes the short durations of the cluster file ({@code 250ms}, {@code 3s},
 * {@code 1.5s}, {@code 2m}, {@code 1h}).
 *
 * <p>Only a plain decimal number directly followed by one of the units {@code ms}, {@code s},
 * {@code m}, {@code h} is accepted: no sign, no spaces, no bare numbers. Lease and heartbeat
 * timings are safety parameters, so a value whose unit could be misread (is {@code 3} seconds or
 * milliseconds?) is refused rather than guessed.
 */
public final class DurationParser {

    private static final Pattern FORMAT = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");
    private static final long NANOS_PER_MS = 1_000_000L;

    private DurationParser() {}

    /**
     * Parses a duration such as {@code 250ms} or {@code 1.5s}.
     *
     * @throws IllegalArgumentException if the text is not in that form, is finer than a
     *     nanosecond, or is too long to represent; the message quotes the text
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no duration given; expected e.g. 250ms, 3s, 1.5s, 2m, 1h");
        }
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; expected a number"
                    + " followed by ms, s, m or h, e.g. 250ms, 3s, 1.5s, 2m, 1h");
        }
        long nanosPerUnit = switch (m.group(2)) {
            case "ms" -> NANOS_PER_MS;
            case "s" -> 1_000L * NANOS_PER_MS;
            case "m" -> 60_000L * NANOS_PER_MS;
            default -> 3_600_000L * NANOS_PER_MS;
        };
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
        try {
            return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException e) {
            if (nanos.stripTrailingZeros().scale() > 0) {
                throw new IllegalArgumentException("'" + text + "' is finer than a nanosecond");
            }
            throw new IllegalArgumentException("'" + text + "' is too long");
        }
    }

    /**
     * Formats a duration the way the cluster file writes it, so messages quote values in the
     * operator's own notation; the result of a non-negative duration parses back to the same value.
     */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            return "-" + format(duration.negated());
        }
        long nanos = duration.toNanos();
        if (nanos % NANOS_PER_MS != 0) {
            return BigDecimal.valueOf(nanos).movePointLeft(6).stripTrailingZeros().toPlainString() + "ms";
        }
        long ms = nanos / NANOS_PER_MS;
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms % 3_600_000 == 0) {
            return (ms / 3_600_000) + "h";
        }
        if (ms % 60_000 == 0) {
            return (ms / 60_000) + "m";
        }
        return BigDecimal.valueOf(ms).movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
    }
}

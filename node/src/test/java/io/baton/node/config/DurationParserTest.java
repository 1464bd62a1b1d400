package io.baton.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationParserTest {

    @ParameterizedTest
    @CsvSource({
        "250ms, 250000000",
        "3s, 3000000000",
        "1.5s, 1500000000",
        "2m, 120000000000",
        "1h, 3600000000000",
        "0s, 0",
        "0.5ms, 500000",
        "1.25m, 75000000000",
        "007s, 7000000000",
    })
    void accepts(String text, long nanos) {
        assertEquals(Duration.ofNanos(nanos), DurationParser.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "3", "3 s", " 3s", "3s ", "-1s", "+1s", "1.s", ".5s", "1,5s", "3S", "3sec",
        "1d", "1us", "ms", "1h30m", "1e3ms", "0x10s", "1.5.1s"})
    void refuses(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationParser.parse(text));
        assertEquals("'" + text + "' is not a duration; expected a number followed by ms, s, m or h,"
                + " e.g. 250ms, 3s, 1.5s, 2m, 1h", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "1.0000000001s, '''1.0000000001s'' is finer than a nanosecond'",
        "9999999999h, '''9999999999h'' is too long'",
    })
    void refusesUnrepresentable(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> DurationParser.parse(text)).getMessage());
    }

    @org.junit.jupiter.api.Test
    void refusesNull() {
        assertThrows(IllegalArgumentException.class, () -> DurationParser.parse(null));
    }

    @ParameterizedTest
    @CsvSource({
        "250000000, 250ms",
        "3000000000, 3s",
        "1500000000, 1.5s",
        "120000000000, 2m",
        "90000000000, 90s",
        "3600000000000, 1h",
        "500000, 0.5ms",
        "0, 0ms",
    })
    void formatsInTheFileNotationAndParsesBack(long nanos, String text) {
        assertEquals(text, DurationParser.format(Duration.ofNanos(nanos)));
        assertEquals(Duration.ofNanos(nanos), DurationParser.parse(text));
    }
}

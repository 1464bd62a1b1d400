package io.baton.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParsingTest {

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofSeconds(5), DurationConverter.parse("5s"));
        assertEquals(Duration.ofMillis(1500), DurationConverter.parse("1.5s"));
        assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
        assertEquals(Duration.ofSeconds(7), DurationConverter.parse("PT7S"));
        for (String bad : List.of("", "5", "5x", "-5s", "0s", "s", "1.s", "PT", "PT-1S", "99999999999999h")) {
            assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse(bad), bad);
        }
        assertEquals("500ms", DurationConverter.format(Duration.ofMillis(500)));
        assertEquals("10s", DurationConverter.format(Duration.ofSeconds(10)));
        assertEquals("1.5s", DurationConverter.format(Duration.ofMillis(1500)));
    }

    @Test
    void endpoints() {
        assertEquals(List.of(new Endpoint("127.0.0.1", 7401), new Endpoint("node-2.example", 1)),
                Endpoint.parseList("127.0.0.1:7401, node-2.example:1"));
        assertEquals(new Endpoint("::1", 7401), Endpoint.parse("[::1]:7401"));
        assertEquals("[::1]:7401", Endpoint.parse("[::1]:7401").toString());
        for (String bad : List.of("", "host", "host:", ":80", "host:0", "host:65536", "host:8o", "::1:80",
                "a:1,,b:2", "a b:1", "[::1:80")) {
            assertThrows(IllegalArgumentException.class, () -> Endpoint.parseList(bad), bad);
        }
    }

    @Test
    void bytes() {
        assertEquals("0 B", Bytes.format(0));
        assertEquals("1023 B", Bytes.format(1023));
        assertEquals("1.0 KiB", Bytes.format(1024));
        assertEquals("1.5 MiB", Bytes.format(1024 * 1024 * 3 / 2));
        assertEquals("1.2 GiB", Bytes.format(1_288_490_189L));
        assertEquals("8.0 EiB", Bytes.format(Long.MAX_VALUE));
    }
}

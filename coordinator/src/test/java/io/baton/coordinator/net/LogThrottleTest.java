package io.baton.coordinator.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogThrottleTest {
    private static final long MINUTE = 60_000_000_000L;

    @Test
    void printsTheFirstThenOnePerPeriodWithTheCountHeldBack() {
        LogThrottle t = new LogThrottle(MINUTE, 100);
        assertEquals(0, t.occurrence("a", 0));
        for (int i = 1; i <= 500; i++) {
            assertEquals(-1, t.occurrence("a", i * 1_000_000L));
        }
        assertEquals(0, t.occurrence("b", 10), "another key has its own budget");
        assertEquals(500, t.occurrence("a", MINUTE));
        assertEquals(-1, t.occurrence("a", MINUTE + 1));
        assertEquals(1, t.occurrence("a", 2 * MINUTE));
    }

    @Test
    void forgetsTheOldestKeysBeyondItsSize() {
        LogThrottle t = new LogThrottle(MINUTE, 2);
        t.occurrence("a", 0);
        t.occurrence("b", 0);
        t.occurrence("c", 0);
        assertEquals(0, t.occurrence("a", 1), "a was forgotten, so it prints again");
    }
}

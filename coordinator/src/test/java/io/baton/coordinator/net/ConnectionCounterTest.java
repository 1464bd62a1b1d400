package io.baton.coordinator.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionCounterTest {
    private static ConnectionCounter counter(int total, int perAddress) {
        return new ConnectionCounter(new ConnectionLimits(total, perAddress, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    }

    @Test
    void refusesTheConnectionOverTheLimitPerAddressAndAdmitsOthers() {
        ConnectionCounter c = counter(10, 2);
        assertNull(c.admit("10.0.0.1"));
        assertNull(c.admit("10.0.0.1"));
        String why = c.admit("10.0.0.1");
        assertNotNull(why);
        assertTrue(why.contains("10.0.0.1") && why.contains("limit 2 per address"), why);
        assertNull(c.admit("10.0.0.2"));
        assertEquals(3, c.open());
    }

    @Test
    void refusesOverThePortLimitWhateverTheAddress() {
        ConnectionCounter c = counter(3, 2);
        assertNull(c.admit("a"));
        assertNull(c.admit("b"));
        assertNull(c.admit("c"));
        String why = c.admit("d");
        assertNotNull(why);
        assertTrue(why.contains("limit 3"), why);
    }

    @Test
    void aClosedConnectionFreesItsPlace() {
        ConnectionCounter c = counter(2, 1);
        assertNull(c.admit("a"));
        assertNotNull(c.admit("a"));
        c.release("a");
        assertEquals(0, c.open());
        assertNull(c.admit("a"));
        c.release("never-admitted");
        assertEquals(1, c.open());
    }

    @Test
    void limitsMustBeConsistent() {
        assertThrows(IllegalArgumentException.class, () -> counter(1, 2));
        assertThrows(IllegalArgumentException.class, () -> counter(0, 0));
    }
}

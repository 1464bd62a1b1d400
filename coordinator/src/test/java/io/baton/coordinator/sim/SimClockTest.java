package io.baton.coordinator.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SimClockTest {
    @Test
    void trueAtIsTheFirstInstantTheLocalClockReadsAtLeastTheTarget() {
        Random random = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            SimClock clock = new SimClock(random.nextLong() / 4, 0.99 + 0.02 * random.nextDouble());
            long now = (long) (random.nextDouble() * 100e9);
            long target = clock.local(now) + (long) (random.nextDouble() * 5e9);
            long t = clock.trueAt(target, now);
            assertTrue(t >= now);
            assertTrue(clock.local(t) >= target);
            assertTrue(t == now || clock.local(t - 1) < target);
        }
    }

    @Test
    void aTargetInThePastIsNow() {
        SimClock clock = new SimClock(-5_000, 1.01);
        assertEquals(1_000, clock.trueAt(clock.local(1_000) - 1, 1_000));
    }

    @Test
    void durationsDriftByTheRate() {
        SimClock slow = new SimClock(123, 0.99);
        assertEquals(990_000_000L, slow.local(2_000_000_000L) - slow.local(1_000_000_000L));
    }
}

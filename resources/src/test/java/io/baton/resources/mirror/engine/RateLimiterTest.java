package io.baton.resources.mirror.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    /** Starts at an arbitrary (negative) reading, as System.nanoTime may. */
    private final AtomicLong now = new AtomicLong(-5 * SECOND);

    @Test
    void theBurstIsFreeThenTheRateHolds() {
        RateLimiter rl = new RateLimiter(1_000_000, 500_000, now::get);
        assertEquals(0, rl.reserve(250_000));
        assertEquals(0, rl.reserve(250_000));
        assertEquals(100 * MS, rl.reserve(100_000), "the burst is spent: 100 kB at 1 MB/s");
        assertEquals(200 * MS, rl.reserve(100_000), "booked bytes queue up");
        now.addAndGet(200 * MS);
        assertEquals(100 * MS, rl.reserve(100_000));
    }

    @Test
    void idleTimeRefillsUpToTheBurstOnly() {
        RateLimiter rl = new RateLimiter(1_000_000, 500_000, now::get);
        rl.reserve(500_000);
        now.addAndGet(10 * SECOND);
        assertEquals(0, rl.reserve(500_000));
        assertEquals(1 * MS, rl.reserve(1_000), "ten idle seconds do not bank ten seconds of bytes");
    }

    @Test
    void aReservationLargerThanTheBurstWaitsForTheExcess() {
        RateLimiter rl = new RateLimiter(1 << 20, 1 << 20, now::get);
        assertEquals(SECOND, rl.reserve(2 << 20));
    }

    @Test
    void waitsRoundUpToWholeNanoseconds() {
        RateLimiter rl = new RateLimiter(3 * 4096, 4096, now::get);
        assertEquals(0, rl.reserve(4096));
        // One more byte costs 1e9/12288 = 81380.2 ns: rounded up, never down.
        assertEquals(81_381, rl.reserve(1));
    }

    @Test
    void steadyStreamAveragesTheRate() {
        RateLimiter rl = new RateLimiter(10 << 20, 1 << 20, now::get);
        long start = now.get();
        long sent = 0;
        for (int i = 0; i < 100; i++) {
            long wait = rl.reserve(256 << 10);
            now.addAndGet(wait);
            sent += 256 << 10;
        }
        long elapsed = now.get() - start;
        // 25 MiB at 10 MiB/s with 1 MiB free: 2.4 s.
        assertEquals(2_400 * MS, elapsed, 1_000);
        assertEquals(25L << 20, sent);
    }

    @Test
    void limitsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(4095, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(1L << 41, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(4096, 0, now::get));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(4096, (1L << 30) + 1, now::get));
        RateLimiter rl = new RateLimiter(4096, 4096, now::get);
        assertThrows(IllegalArgumentException.class, () -> rl.reserve(-1));
        assertThrows(IllegalArgumentException.class, () -> rl.reserve((1L << 30) + 1));
        assertEquals(0, rl.reserve(0));
    }
}

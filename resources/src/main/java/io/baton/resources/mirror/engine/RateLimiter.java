package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.meta.DirtyBitmap;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Bandwidth limit for resync, so that it leaves the disk and link to the application: a token
 * bucket of {@code rateBytesPerSecond} that holds up to {@code burstBytes}.
 *
 * <p>It never sleeps and reads time only from the injected monotonic clock: {@link #reserve} books
 * the bytes and says how long the caller should wait before sending them, and the caller schedules
 * the send (on an event loop, without blocking). Implemented as a generic cell rate algorithm: one
 * "theoretical arrival time" instead of a token count, in integer nanoseconds, so the arithmetic is
 * exact and testable.
 */
public final class RateLimiter {

    /** Slowest rate: one block per second. */
    public static final long MIN_RATE_BYTES_PER_SECOND = DirtyBitmap.BLOCK_SIZE_BYTES;
    /** Fastest rate: 1 TiB/s, in effect unlimited. */
    public static final long MAX_RATE_BYTES_PER_SECOND = 1L << 40;
    /** Largest burst and largest single reservation: 1 GiB. */
    public static final long MAX_BURST_BYTES = 1L << 30;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long rateBytesPerSecond;
    private final long burstBytes;
    private final long burstNanos;
    private final LongSupplier nanoClock;
    /** When the bytes booked so far would have been sent at exactly the rate. */
    private long theoreticalArrivalNanos;

    /**
     * @param nanoClock monotonic nanoseconds, e.g. {@code System::nanoTime}; a fake one in tests
     */
    public RateLimiter(long rateBytesPerSecond, long burstBytes, LongSupplier nanoClock) {
        if (rateBytesPerSecond < MIN_RATE_BYTES_PER_SECOND || rateBytesPerSecond > MAX_RATE_BYTES_PER_SECOND) {
            throw new IllegalArgumentException("rate must be " + MIN_RATE_BYTES_PER_SECOND + ".."
                    + MAX_RATE_BYTES_PER_SECOND + " bytes per second, got " + rateBytesPerSecond);
        }
        if (burstBytes < 1 || burstBytes > MAX_BURST_BYTES) {
            throw new IllegalArgumentException("burst must be 1.." + MAX_BURST_BYTES + " bytes, got " + burstBytes);
        }
        this.rateBytesPerSecond = rateBytesPerSecond;
        this.burstBytes = burstBytes;
        this.burstNanos = costNanos(burstBytes);
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.theoreticalArrivalNanos = nanoClock.getAsLong();
    }

    public long rateBytesPerSecond() {
        return rateBytesPerSecond;
    }

    public long burstBytes() {
        return burstBytes;
    }

    /**
     * Books {@code bytes} and returns the nanoseconds to wait before sending them: 0 while the burst
     * lasts, then as much as keeps the average at the rate. A reservation larger than the burst is
     * allowed and waits accordingly. Booked bytes stay booked; the caller must send them after the
     * wait, not ask again.
     */
    public synchronized long reserve(long bytes) {
        if (bytes < 0 || bytes > MAX_BURST_BYTES) {
            throw new IllegalArgumentException("can reserve 0.." + MAX_BURST_BYTES + " bytes at once, got " + bytes);
        }
        long now = nanoClock.getAsLong();
        if (now - theoreticalArrivalNanos > 0) {
            theoreticalArrivalNanos = now; // idle meanwhile: the burst is whole again, no more
        }
        theoreticalArrivalNanos = Math.addExact(theoreticalArrivalNanos, costNanos(bytes));
        return Math.max(0, theoreticalArrivalNanos - now - burstNanos);
    }

    /** Time {@code bytes} take at the rate, rounded up (the same way for the burst, so a whole burst is free). */
    private long costNanos(long bytes) {
        return (bytes * NANOS_PER_SECOND + rateBytesPerSecond - 1) / rateBytesPerSecond;
    }
}

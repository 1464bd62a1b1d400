package io.baton.coordinator.sim;

/**
 * A node's monotonic clock: {@code local = offset + rate·true}, with a fixed rate in [1-ρ, 1+ρ] and an
 * arbitrary offset, so that no two nodes agree on the time and only durations (with bounded drift) mean
 * anything. True time is the simulation's integer nanoseconds.
 */
final class SimClock {
    final long offsetNanos;
    final double rate;

    SimClock(long offsetNanos, double rate) {
        if (rate <= 0.5 || rate >= 1.5) {
            throw new IllegalArgumentException("rate " + rate);
        }
        this.offsetNanos = offsetNanos;
        this.rate = rate;
    }

    /** Local time at true time {@code t}: non-decreasing in {@code t}. */
    long local(long t) {
        return offsetNanos + (long) Math.floor(rate * t);
    }

    /** The earliest true time, not before {@code notBefore}, at which local time has reached {@code local}. */
    long trueAt(long local, long notBefore) {
        if (local(notBefore) >= local) {
            return notBefore;
        }
        long t = (long) Math.ceil((local - offsetNanos) / rate);
        while (local(t) < local) {
            t++;
        }
        while (t > notBefore && local(t - 1) >= local) {
            t--;
        }
        return Math.max(t, notBefore);
    }
}

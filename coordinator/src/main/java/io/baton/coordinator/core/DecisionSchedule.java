package io.baton.coordinator.core;

import java.util.concurrent.TimeUnit;

/**
 * When the leader decides next: at the instant the controller names ({@link Controller#nextDecisionAt},
 * a lease running out), or when an input changes (an entry applied, a node heard again after a lapse, a
 * proposal answered), whichever comes first; never more than {@link #MAX_SLEEP_NANOS} apart, and a burst
 * of inputs no more often than once per minimum gap, so that it is one round. Pure: times are
 * parameters, in nanoseconds of the leader's monotonic clock. Used by the leader's runner and by the
 * seeded simulation alike.
 *
 * @param minGapNanos the shortest time from one decision to the next that an input change asks for
 */
public record DecisionSchedule(long minGapNanos) {
    /**
     * The longest sleep while leading. It bounds what neither an instant nor a wake covers: whether the
     * witness is in step for a hand-over (Ratis tells nobody), and a read confirmed while a decision was
     * being made. An idle leader decides about this often.
     */
    public static final long MAX_SLEEP_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The shortest sleep after a decision, whatever it names as next: a wrong answer cannot make it spin. */
    public static final long MIN_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    public DecisionSchedule {
        if (minGapNanos < 0) {
            throw new IllegalArgumentException("negative gap " + minGapNanos);
        }
    }

    /** After a decision at {@code nowNanos} that names {@code nextNanos}: when to decide again, inputs unchanged. */
    public long afterDecision(long nowNanos, long nextNanos) {
        return Math.max(nowNanos + MIN_SLEEP_NANOS, Math.min(nextNanos, nowNanos + MAX_SLEEP_NANOS));
    }

    /** An input changed at {@code nowNanos}; the last decision began at {@code lastNanos}: when to decide. */
    public long afterInput(long nowNanos, long lastNanos) {
        return Math.max(nowNanos, lastNanos + minGapNanos);
    }
}

package io.baton.node.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How many failovers a group may make in a time window. A group that would fail over more than
 * {@code max} times within {@code within} goes failed instead and stays where it is, so that a fault
 * that follows the group from node to node does not keep moving it.
 *
 * @param max    failovers allowed within {@code within}, at least 1
 * @param within the window the failovers are counted in; positive
 */
public record FailoverLimit(int max, Duration within) {

    /** The limit when the file gives none: 3 failovers within 1 hour. */
    public static final FailoverLimit DEFAULT = new FailoverLimit(3, Duration.ofHours(1));

    public FailoverLimit {
        Objects.requireNonNull(within, "within");
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        if (within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("within must be positive, got " + within);
        }
    }
}

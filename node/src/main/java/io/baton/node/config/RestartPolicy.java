package io.baton.node.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a monitored resource may be restarted on the node where it failed before the group's
 * {@link OnFailure} policy applies. A node's failure record of the group expires after
 * {@code within}, as Pacemaker's failure-timeout.
 *
 * @param max    local restarts allowed within {@code within}, at least 0; 0 means the first failure
 *               already goes to the group's on_failure policy
 * @param within the window the restarts are counted in; positive
 */
public record RestartPolicy(int max, Duration within) {

    /** The policy of a monitor that has no {@code restart} block: one restart within 10 minutes. */
    public static final RestartPolicy DEFAULT = new RestartPolicy(1, Duration.ofMinutes(10));

    public RestartPolicy {
        Objects.requireNonNull(within, "within");
        if (max < 0) {
            throw new IllegalArgumentException("max must be at least 0, got " + max);
        }
        if (within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("within must be positive, got " + within);
        }
    }
}

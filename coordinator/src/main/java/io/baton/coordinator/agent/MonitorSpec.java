package io.baton.coordinator.agent;

/**
 * What the agent's plan needs to know of one resource's monitor and restart policy (the cluster
 * file's {@code monitor:} and {@code restart:} of an exec resource), in nanoseconds.
 *
 * @param failures          consecutive failed checks before the resource counts as failed (at least 1)
 * @param startGraceNanos   checks within this long after the resource started give no verdict
 * @param restartMax        local restarts allowed within {@code restartWithinNanos}; 0: fail over at once
 * @param restartWithinNanos the window the restarts are counted in
 */
public record MonitorSpec(int failures, long startGraceNanos, int restartMax, long restartWithinNanos) {
    public MonitorSpec {
        if (failures < 1 || startGraceNanos < 0 || restartMax < 0 || restartWithinNanos <= 0) {
            throw new IllegalArgumentException("bad monitor spec " + failures + "/" + startGraceNanos + "/"
                    + restartMax + "/" + restartWithinNanos);
        }
    }
}

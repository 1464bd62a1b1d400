package io.baton.coordinator.agent;

/** What a resource's monitor says of it, as shown in reports and status. */
public enum Verdict {
    /** The resource has no monitor. */
    NONE,
    /** Not checked yet since it started, or still within its start grace. */
    WAITING,
    /** The last check passed. */
    HEALTHY,
    /** Some consecutive checks failed, fewer than the monitor's {@code failures}. */
    FAILING,
    /** {@code failures} consecutive checks failed: the plan recovers (restart, fail over, or degraded). */
    FAILED;

    /** The lower-case word reports and status use. */
    public String word() {
        return name().toLowerCase();
    }
}

package io.baton.coordinator.core;

/**
 * The lease arithmetic of PROTOCOL.md, in nanoseconds of a monotonic clock.
 *
 * @param leaseNanos     how long an owner may stay active after the send time of its last confirmed heartbeat
 * @param heartbeatNanos how often nodes send heartbeats
 * @param maxDrift       ρ, the bound on clock rate drift between any two nodes (0.01 = 1 %)
 * @param marginNanos    extra time the leader waits on top of lease·(1+ρ) before reassigning
 */
public record Timing(long leaseNanos, long heartbeatNanos, double maxDrift, long marginNanos) {

    public Timing {
        if (leaseNanos <= 0 || heartbeatNanos <= 0 || marginNanos < 0 || maxDrift < 0 || maxDrift >= 0.5) {
            throw new IllegalArgumentException("bad timing " + leaseNanos + "/" + heartbeatNanos + "/" + maxDrift);
        }
    }

    /** How long after a node's last confirmation the leader may give its groups to another node. */
    public long takeoverAfterNanos() {
        return (long) Math.ceil(leaseNanos * (1 + maxDrift)) + marginNanos;
    }

    /**
     * How recently a node must have been heard to be given a group: a few heartbeats, so that a node
     * that just died is rarely chosen, and at most a lease.
     */
    public long eligibleWithinNanos() {
        return Math.min(leaseNanos, 4 * heartbeatNanos);
    }
}

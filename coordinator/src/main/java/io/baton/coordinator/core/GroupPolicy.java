package io.baton.coordinator.core;

import java.util.Objects;

/**
 * What the cluster does when a group's application monitor fails on its owner, from the cluster
 * file (static, identical on every node, never replicated). Durations are in milliseconds of the
 * proposers' wall clocks, as stamped on each command: they only expire failure history and count
 * failovers, never decide ownership safety (see docs/design.md, "Failure history").
 *
 * @param onFailure        what a failed monitor (restarts used up on the owner) leads to
 * @param failoverMax      how many monitor failovers within {@code failoverWithinMs} are allowed; one
 *                         more holds the group FAILED until an operator acts
 * @param failoverWithinMs the window in which failovers are counted
 * @param failureTimeoutMs how long a node's failure record lasts (the node is skipped meanwhile); 0:
 *                         records never expire, only an operator's clear or start removes them
 * @param failback         whether an ONLINE group goes back to a more preferred member by itself
 * @param failbackAfterMs  how long (the leader's monotonic time) that member must have been eligible
 *                         without interruption before the controller moves the group back
 */
public record GroupPolicy(OnFailure onFailure, int failoverMax, long failoverWithinMs, long failureTimeoutMs,
                          Failback failback, long failbackAfterMs) {

    /** What a failed monitor on the owner leads to once the owner's local restarts are used up. */
    public enum OnFailure {
        /** The owner stops the group; the controller starts it on the next eligible member (up to failoverMax). */
        FAILOVER,
        /** The owner stops the group and it stays FAILED (held) until an operator's start or clear. */
        STOP,
        /**
         * The owner leaves the group running, degraded. Should an owner still report a monitor failure (the
         * group is then stopped there anyway), the core treats it as FAILOVER.
         */
        KEEP
    }

    /** Whether a group returns to a more preferred member by itself. */
    public enum Failback {
        /** A group stays where it is until moved. */
        NEVER,
        /** The controller moves it back once that member has been eligible for failbackAfterMs. */
        AUTO
    }

    public static final long HOUR_MS = 3_600_000L;

    /** Fail over, at most 3 times an hour; failure records last 10 minutes; no failback (after 60 s if enabled). */
    public static final GroupPolicy DEFAULT =
            new GroupPolicy(OnFailure.FAILOVER, 3, HOUR_MS, 600_000L, Failback.NEVER, 60_000L);

    public GroupPolicy {
        Objects.requireNonNull(onFailure, "onFailure");
        Objects.requireNonNull(failback, "failback");
        if (failoverMax < 0 || failoverWithinMs <= 0 || failureTimeoutMs < 0 || failbackAfterMs < 0) {
            throw new IllegalArgumentException("bad group policy: failover_max " + failoverMax + ", failover_within "
                    + failoverWithinMs + " ms, failure_timeout " + failureTimeoutMs + " ms, failback_after "
                    + failbackAfterMs + " ms");
        }
    }

    /** Whether a failure committed at {@code recordedMs} has expired at {@code nowMs}. 0: a record of unknown age. */
    boolean expired(long recordedMs, long nowMs) {
        return failureTimeoutMs > 0 && recordedMs > 0 && nowMs - recordedMs >= failureTimeoutMs;
    }

    /** Whether a failover committed at {@code atMs} still counts at {@code nowMs}. */
    boolean countsFailover(long atMs, long nowMs) {
        return nowMs - atMs < failoverWithinMs;
    }

    /** {@code 1h}, {@code 10m}, {@code 45s}, {@code 1500ms}: the largest unit that divides exactly. */
    public static String duration(long ms) {
        if (ms > 0 && ms % HOUR_MS == 0) {
            return ms / HOUR_MS + "h";
        }
        if (ms > 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms > 0 && ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}

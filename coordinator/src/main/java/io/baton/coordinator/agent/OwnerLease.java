package io.baton.coordinator.agent;

import io.baton.proto.HeldGrant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A node's lease, on its own monotonic clock (PROTOCOL.md "Leases without synchronized clocks").
 *
 * <p>A heartbeat sent at {@code t_send} and committed by a leader with a quorum confirms the node
 * until {@code t_send + lease}. The commit's result lists the grants the node held at that log
 * index: only those are confirmed. The node must be fully stopped by the end of the lease, so it
 * treats the lease as over {@code stopBudget} earlier ({@link #fenceAtNanos}).
 *
 * <p>Not thread-safe by itself: the agent confines it to its lock.
 */
public final class OwnerLease {
    private final long leaseNanos;
    private final long stopBudgetNanos;
    private long confirmedSendNanos = Long.MIN_VALUE;
    private Map<String, HeldGrant> held = Map.of();

    public OwnerLease(long leaseNanos, long stopBudgetNanos) {
        if (stopBudgetNanos >= leaseNanos) {
            throw new IllegalArgumentException("stop budget must be shorter than the lease");
        }
        this.leaseNanos = leaseNanos;
        this.stopBudgetNanos = stopBudgetNanos;
    }

    /** Records the commit of a heartbeat sent at {@code sendNanos}; older confirmations are ignored. */
    public void confirmed(long sendNanos, List<HeldGrant> grants) {
        if (sendNanos < confirmedSendNanos) {
            return;
        }
        confirmedSendNanos = sendNanos;
        held = grants.stream().collect(Collectors.toUnmodifiableMap(HeldGrant::getGroup, Function.identity()));
    }

    /** The grants of the latest confirmation, by group (whether or not the lease is still live). */
    public Map<String, HeldGrant> heldGrants() {
        return held;
    }

    /** When the node must have begun stopping everything: lease end minus the stop budget. */
    public long fenceAtNanos() {
        return confirmedSendNanos == Long.MIN_VALUE ? Long.MIN_VALUE : confirmedSendNanos + leaseNanos - stopBudgetNanos;
    }

    /** Whether the lease still allows this node to keep resources up. */
    public boolean live(long nowNanos) {
        return confirmedSendNanos != Long.MIN_VALUE && nowNanos < fenceAtNanos();
    }

    /** The confirmed grant of {@code group}, while the lease is live. */
    public Optional<HeldGrant> held(String group, long nowNanos) {
        return live(nowNanos) ? Optional.ofNullable(held.get(group)) : Optional.empty();
    }

    /**
     * How long the confirmed grant of {@code group} has left before the lease itself ends (not the
     * earlier fence point), while the lease is live; empty otherwise. For metrics.
     */
    public OptionalLong remainingNanos(String group, long nowNanos) {
        return held(group, nowNanos).isPresent()
                ? OptionalLong.of(confirmedSendNanos + leaseNanos - nowNanos) : OptionalLong.empty();
    }

    /** Forgets every confirmation, as after the node learned it lost quorum. */
    public void clear() {
        confirmedSendNanos = Long.MIN_VALUE;
        held = Map.of();
    }
}

package io.baton.coordinator.agent;

import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.core.Phase;

/**
 * The pure decisions of a node agent for one group, shared by the real agent and the simulation.
 * S3 lives here: a node keeps a group active only while its lease confirms a committed grant that
 * its own replica also shows, in a phase that allows activity, for an epoch it has neither failed
 * nor released.
 */
public final class AgentRules {
    private AgentRules() {}

    /** What one node remembers of a group across reconcile steps. */
    public record Memory(long failedEpoch, long releasedEpoch) {
        public static final Memory NONE = new Memory(-1, -1);
    }

    /** Whether {@code node} should have {@code group} active now. */
    public static boolean shouldBeActive(String node, GroupState local, OwnerLease lease, Memory memory, long nowNanos) {
        if (local == null || !node.equals(local.owner()) || !local.phase().allowsActivity()) {
            return false;
        }
        long epoch = local.epoch();
        if (epoch == memory.failedEpoch() || epoch <= memory.releasedEpoch()) {
            return false;
        }
        return lease.held(local.name(), nowNanos)
                .filter(h -> h.getEpoch() == epoch && Phase.fromProto(h.getPhase()).allowsActivity())
                .isPresent();
    }

    /**
     * The epoch this node may report released, or -1: its replica shows it the owner of a group
     * being released and it has nothing active.
     */
    public static long releasable(String node, GroupState local, boolean anythingActive) {
        if (local != null && node.equals(local.owner()) && local.phase() == Phase.RELEASING && !anythingActive) {
            return local.epoch();
        }
        return -1;
    }
}

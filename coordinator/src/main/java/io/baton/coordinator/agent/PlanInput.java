package io.baton.coordinator.agent;

import io.baton.coordinator.core.GroupState;
import java.util.List;

/**
 * Everything the agent's plan decides one group's next step from, besides its memory and policy.
 *
 * @param node        this node's id
 * @param local       the group as this node's replica shows it; null if unknown
 * @param lease       this node's lease (read only)
 * @param maintenance the group is in maintenance: no monitor-driven restart, failover or degraded
 * @param observed    each resource's state as its driver reports it, in activation order
 * @param probesSeen  health checks the probe port has accepted so far; -1 without a probe port
 * @param nowNanos    this node's monotonic clock
 */
public record PlanInput(String node, GroupState local, OwnerLease lease, boolean maintenance, List<Observed> observed,
                        long probesSeen, long nowNanos) {
    public PlanInput {
        observed = List.copyOf(observed);
    }
}

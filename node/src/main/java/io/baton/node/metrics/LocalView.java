package io.baton.node.metrics;

import java.util.Map;

/**
 * What only this node knows, for its metrics.
 *
 * @param self                 this node's id
 * @param leaseRemainingNanos  for each group it holds under a live lease, how long the lease has left
 * @param probeChecks          for each group with a probe port here, health checks accepted since start
 */
public record LocalView(String self, Map<String, Long> leaseRemainingNanos, Map<String, Long> probeChecks) {
    public LocalView {
        leaseRemainingNanos = Map.copyOf(leaseRemainingNanos);
        probeChecks = Map.copyOf(probeChecks);
    }
}

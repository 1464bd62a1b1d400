package io.baton.coordinator.core;

import java.util.Map;
import java.util.OptionalLong;

/**
 * The Raft leader's own view of when it last heard each node, on its monotonic clock.
 *
 * @param leaderSinceNanos when this leader became ready; it knows nothing older, so it counts every
 *                         node as confirmed at that moment for the purpose of lease expiry
 * @param lastHeardNanos   when this leader applied each node's latest heartbeat (absent: not yet)
 */
public record Liveness(long leaderSinceNanos, Map<String, Long> lastHeardNanos) {

    public Liveness {
        lastHeardNanos = Map.copyOf(lastHeardNanos);
    }

    public OptionalLong lastHeard(String node) {
        Long t = lastHeardNanos.get(node);
        return t == null ? OptionalLong.empty() : OptionalLong.of(t);
    }

    /** The latest moment the node may have been confirmed as far as this leader can tell. */
    public long lastConfirmed(String node) {
        return Math.max(leaderSinceNanos, lastHeard(node).orElse(leaderSinceNanos));
    }
}

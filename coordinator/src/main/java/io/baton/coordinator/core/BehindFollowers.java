package io.baton.coordinator.core;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Since when this leader has seen each node's replica behind the log ({@link ReplicaLag}), for the
 * repair that gives the leadership up only for a follower that stays behind
 * ({@link Controller#replicationToRepair}): a lag in a burst of entries (200 groups starting at once)
 * ends within a second or two, while a follower whose log appender died never catches up. A node seen
 * caught up is forgotten. A new leadership starts with {@link #NONE}. Immutable.
 */
public final class BehindFollowers {
    public static final BehindFollowers NONE = new BehindFollowers(Map.of());

    private final Map<String, Long> sinceNanos;

    private BehindFollowers(Map<String, Long> sinceNanos) {
        this.sinceNanos = Map.copyOf(sinceNanos);
    }

    /** The nodes behind in {@code state}, each since this memory first saw it behind, or since {@code nowNanos}. */
    public BehindFollowers seen(ClusterState state, long nowNanos) {
        Map<String, Long> next = new HashMap<>();
        state.nodes.forEach((id, n) -> {
            if (n.replicaBehind()) {
                next.put(id, sinceNanos.getOrDefault(id, nowNanos));
            }
        });
        return next.equals(sinceNanos) ? this : new BehindFollowers(next);
    }

    /** Since when {@code node} has been behind; empty if it is not (or was not seen so). */
    public OptionalLong since(String node) {
        Long t = sinceNanos.get(node);
        return t == null ? OptionalLong.empty() : OptionalLong.of(t);
    }

    /** Every node seen behind, with since when. */
    public Map<String, Long> sinceNanos() {
        return sinceNanos;
    }
}

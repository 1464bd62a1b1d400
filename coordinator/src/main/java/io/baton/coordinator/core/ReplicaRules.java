package io.baton.coordinator.core;

import java.util.Optional;

/**
 * Who may be granted a mirrored group (PROTOCOL.md, S3: only an UpToDate replica), shared by the
 * core, which validates, and the controller, which must not propose what the core would refuse.
 * Groups without a mirror disk are unaffected. Public for the node's hand-over on a clean stop,
 * which picks a target the core will accept.
 */
public final class ReplicaRules {
    private ReplicaRules() {}

    static boolean mirrored(Topology topology, String group) {
        return topology.group(group).map(Topology.GroupSpec::mirrored).orElse(false);
    }

    /**
     * Why {@code node} may not be granted {@code g}, or empty if it may. A mirrored group with no
     * replica state at all was never granted: its disk is new, so any member may be its first owner.
     */
    static Optional<String> whyNotGrantable(Topology topology, GroupState g, String node) {
        if (!mirrored(topology, g.name) || g.replicas.isEmpty()) {
            return Optional.empty();
        }
        Replica r = g.replicas.get(node);
        if (r == Replica.UP_TO_DATE) {
            return Optional.empty();
        }
        String which = "node '" + node + "''s replica of group '" + g.name + "'";
        if (r == null) {
            return Optional.of(which + " has no recorded state (the node joined after the disk was created): "
                    + "it cannot be granted until a full sync makes it UpToDate");
        }
        if (r == Replica.INCONSISTENT) {
            return Optional.of(which + " is Inconsistent (its resync has not completed): it cannot be granted"
                    + " until a resync from an UpToDate replica completes");
        }
        return Optional.of(which + " is Outdated: it lacks writes acknowledged after it fell behind, so it cannot"
                + " be granted; wait for its resync, or accept the loss with 'batonctl force-activate " + g.name
                + " --on " + node + " --accept-data-loss' while the group has no active owner");
    }

    /** Whether {@code node}'s replica allows granting it {@code g}: always for a group without a mirror disk. */
    public static boolean grantable(Topology topology, GroupState g, String node) {
        return whyNotGrantable(topology, g, node).isEmpty();
    }

    /**
     * Called as {@code node} is granted {@code g}. The first grant of a new disk makes the grantee the
     * source (UpToDate) and every other member Inconsistent: they hold nothing yet and need a full sync.
     */
    static void granted(Topology topology, GroupState g, String node) {
        if (!mirrored(topology, g.name) || !g.replicas.isEmpty()) {
            return;
        }
        topology.group(g.name).ifPresent(spec -> spec.members().forEach(m -> g.replicas.put(m, Replica.INCONSISTENT)));
        g.replicas.put(node, Replica.UP_TO_DATE);
    }
}

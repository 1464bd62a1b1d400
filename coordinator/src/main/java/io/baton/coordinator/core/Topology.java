package io.baton.coordinator.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The static shape of a cluster, from the cluster file: which nodes exist, which are witnesses,
 * and each group's members in preference order. Identical on every node; never replicated.
 */
public record Topology(List<NodeSpec> nodes, List<GroupSpec> groups) {

    /** A node; a witness votes in Raft but never owns a group. */
    public record NodeSpec(String id, boolean witness) {}

    /**
     * A failover group and its data nodes, most preferred first.
     *
     * @param mirrored the group has a mirror disk: grants go only to members whose replica is UpToDate
     */
    public record GroupSpec(String name, List<String> members, boolean autostart, boolean mirrored) {
        public GroupSpec {
            members = List.copyOf(members);
        }

        /** A group without a mirror disk. */
        public GroupSpec(String name, List<String> members, boolean autostart) {
            this(name, members, autostart, false);
        }
    }

    public Topology {
        nodes = List.copyOf(nodes);
        groups = List.copyOf(groups);
    }

    public Optional<NodeSpec> node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    public Optional<GroupSpec> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    public Map<String, GroupSpec> groupsByName() {
        Map<String, GroupSpec> byName = new LinkedHashMap<>();
        groups.forEach(g -> byName.put(g.name(), g));
        return byName;
    }
}

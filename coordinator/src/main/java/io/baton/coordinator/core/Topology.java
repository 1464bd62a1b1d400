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
     * @param policy   what a failed monitor leads to, failure expiry, failback
     */
    public record GroupSpec(String name, List<String> members, boolean autostart, boolean mirrored,
                            GroupPolicy policy) {
        public GroupSpec {
            members = List.copyOf(members);
            policy = policy == null ? GroupPolicy.DEFAULT : policy;
        }

        /** A group with the default policy. */
        public GroupSpec(String name, List<String> members, boolean autostart, boolean mirrored) {
            this(name, members, autostart, mirrored, GroupPolicy.DEFAULT);
        }

        /** A group without a mirror disk, with the default policy. */
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

    /** The policy of {@code group}; the default for a group the topology does not know. */
    public GroupPolicy policy(String group) {
        return group(group).map(GroupSpec::policy).orElse(GroupPolicy.DEFAULT);
    }

    public Map<String, GroupSpec> groupsByName() {
        Map<String, GroupSpec> byName = new LinkedHashMap<>();
        groups.forEach(g -> byName.put(g.name(), g));
        return byName;
    }
}

package io.baton.coordinator.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The static shape of a cluster, from the cluster file: which nodes exist, which are witnesses,
 * and each group's members in preference order. Identical on every node; never replicated.
 * Looked up by name many times a decision and a heartbeat read (each of 200 groups' reports), so
 * nodes and groups are indexed by name; a plain value otherwise (equal when its lists are).
 */
public final class Topology {
    private final List<NodeSpec> nodes;
    private final List<GroupSpec> groups;
    private final Map<String, NodeSpec> nodeById;
    private final Map<String, GroupSpec> groupByName;

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

    public Topology(List<NodeSpec> nodes, List<GroupSpec> groups) {
        this.nodes = List.copyOf(nodes);
        this.groups = List.copyOf(groups);
        Map<String, NodeSpec> byId = new LinkedHashMap<>();
        this.nodes.forEach(n -> byId.putIfAbsent(n.id(), n)); // the first of a name, as a search would find
        this.nodeById = Collections.unmodifiableMap(byId);
        Map<String, GroupSpec> byName = new LinkedHashMap<>();
        this.groups.forEach(g -> byName.putIfAbsent(g.name(), g));
        this.groupByName = Collections.unmodifiableMap(byName);
    }

    public List<NodeSpec> nodes() {
        return nodes;
    }

    public List<GroupSpec> groups() {
        return groups;
    }

    public Optional<NodeSpec> node(String id) {
        return Optional.ofNullable(id == null ? null : nodeById.get(id));
    }

    public Optional<GroupSpec> group(String name) {
        return Optional.ofNullable(name == null ? null : groupByName.get(name));
    }

    /** The policy of {@code group}; the default for a group the topology does not know. */
    public GroupPolicy policy(String group) {
        return group(group).map(GroupSpec::policy).orElse(GroupPolicy.DEFAULT);
    }

    /** The groups by name, in file order (a copy the caller may change). */
    public Map<String, GroupSpec> groupsByName() {
        return new LinkedHashMap<>(groupByName);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Topology t && nodes.equals(t.nodes) && groups.equals(t.groups);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodes, groups);
    }

    @Override
    public String toString() {
        return "Topology[nodes=" + nodes + ", groups=" + groups + "]";
    }
}

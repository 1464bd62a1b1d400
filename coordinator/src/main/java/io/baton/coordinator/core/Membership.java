package io.baton.coordinator.core;

import io.baton.proto.GroupMembersProto;
import io.baton.proto.MemberProto;
import io.baton.proto.MembershipProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The replicated membership (SetMembership): which nodes the cluster has and which data nodes each
 * group may run on, once an operator changed them. Before the first change the cluster file's lists
 * apply. Pure functions of the state and the proposed membership, so every replica decides alike.
 *
 * <p>Why the whole membership travels in each step rather than "add X": a replica must not read its
 * own cluster file to apply a change. A node that joins lists itself in its file and replays the log
 * from the start; were the bootstrap list taken from its file, it would refuse the add the others
 * accepted. The proposer reads the leader's state and sends the result, checked here against the
 * replicated state alone.
 */
public final class Membership {
    /** Fewer nodes than this cannot survive the loss of one and keep a majority. */
    public static final int MIN_NODES = 3;

    private Membership() {
    }

    /** The version of the membership {@code s} runs by (0: the cluster file's). */
    public static long version(ClusterState s) {
        return s.membership == null ? 0 : s.membership.getVersion();
    }

    /** The topology of {@code m} over the cluster file's: its nodes, and each group with {@code m}'s members. */
    static Topology over(Topology file, MembershipProto m) {
        List<Topology.NodeSpec> nodes = m.getNodesList().stream()
                .map(n -> new Topology.NodeSpec(n.getId(), n.getWitness())).toList();
        Map<String, List<String>> members = new LinkedHashMap<>();
        m.getGroupsList().forEach(g -> members.put(g.getGroup(), g.getMembersList()));
        List<Topology.GroupSpec> groups = file.groups().stream()
                .map(g -> members.containsKey(g.name())
                        ? new Topology.GroupSpec(g.name(), members.get(g.name()), g.autostart(), g.mirrored(), g.policy())
                        : g)
                .toList();
        return new Topology(nodes, groups);
    }

    /**
     * Why {@code next} may not replace the membership of {@code s} (whose topology is {@code current}),
     * or empty. Checks only what every replica has alike: the replicated state and the proposal.
     */
    static Optional<String> whyNot(ClusterState s, Topology current, MembershipProto next) {
        Set<String> ids = new HashSet<>();
        Set<String> raft = new HashSet<>();
        Set<String> data = new HashSet<>();
        for (MemberProto n : next.getNodesList()) {
            if (n.getId().isEmpty()) {
                return Optional.of("a node without an id");
            }
            if (!ids.add(n.getId())) {
                return Optional.of("node '" + n.getId() + "' is listed twice");
            }
            if (n.getRaft().isEmpty() || n.getAdmin().isEmpty()) {
                return Optional.of("node '" + n.getId() + "' needs a Raft and an admin address");
            }
            if (!raft.add(n.getRaft())) {
                return Optional.of("node '" + n.getId() + "' has the Raft address " + n.getRaft() + " of another node");
            }
            if (!n.getWitness()) {
                data.add(n.getId());
            }
        }
        if (ids.size() < MIN_NODES) {
            return Optional.of("it would leave " + ids.size() + " node" + (ids.size() == 1 ? "" : "s") + ": a cluster needs at least "
                    + MIN_NODES + " voters (two data nodes and a witness) to survive the loss of one");
        }
        Map<String, List<String>> members = membersOf(current, next);
        for (GroupState g : s.groups.values()) {
            List<String> m = members.getOrDefault(g.name, List.of());
            if (m.isEmpty()) {
                return Optional.of("group '" + g.name + "' would have no member");
            }
            if (new HashSet<>(m).size() != m.size()) {
                return Optional.of("group '" + g.name + "' lists a member twice: " + String.join(", ", m));
            }
            for (String node : m) {
                if (!data.contains(node)) {
                    return Optional.of("group '" + g.name + "' member '" + node + "' is "
                            + (ids.contains(node) ? "a witness: witnesses own no group" : "not a node of the cluster"));
                }
            }
            if (g.owner != null && !m.contains(g.owner)) {
                return Optional.of("node '" + g.owner + "' owns group '" + g.name + "' (" + g.phase.name().toLowerCase()
                        + "): move it first ('batonctl move " + g.name + "')");
            }
            if (g.moveTarget != null && !m.contains(g.moveTarget)) {
                return Optional.of("group '" + g.name + "' is moving to '" + g.moveTarget + "': wait for the move to end");
            }
        }
        return Optional.empty();
    }

    /**
     * Makes {@code next} the membership of {@code s}: nodes that left are forgotten, new ones start
     * unheard of, and in a mirrored group already granted a new member's replica is Inconsistent
     * (granted nothing until the owner has copied the whole disk to it) and a departed member's
     * replica, failures and reports are dropped.
     */
    static void apply(ClusterState s, Topology current, MembershipProto next) {
        Map<String, List<String>> members = membersOf(current, next);
        // Rebuilt in the membership's order: a joining node started from a file that listed it elsewhere
        // has the same nodes, in the same order, as every other replica from this entry on.
        Map<String, NodeState> nodes = new LinkedHashMap<>();
        for (MemberProto n : next.getNodesList()) {
            NodeState was = s.nodes.get(n.getId());
            nodes.put(n.getId(), was != null ? was : new NodeState(n.getId()));
        }
        s.nodes.clear();
        s.nodes.putAll(nodes);
        for (GroupState g : s.groups.values()) {
            List<String> m = members.getOrDefault(g.name, List.of());
            g.replicas.keySet().retainAll(m);
            g.failures.keySet().retainAll(m);
            g.reports.keySet().retainAll(m);
            boolean mirrored = current.group(g.name).map(Topology.GroupSpec::mirrored).orElse(false);
            if (mirrored && !g.replicas.isEmpty()) {
                m.forEach(node -> g.replicas.putIfAbsent(node, Replica.INCONSISTENT));
            }
        }
        // Every group listed, so the membership alone says who runs what from now on.
        MembershipProto.Builder full = next.toBuilder().clearGroups();
        members.forEach((group, list) -> full.addGroups(GroupMembersProto.newBuilder().setGroup(group).addAllMembers(list)));
        s.setMembership(full.build());
    }

    /** Each group's members under {@code next}: its own list where it has one, else the current topology's. */
    private static Map<String, List<String>> membersOf(Topology current, MembershipProto next) {
        Map<String, List<String>> members = new LinkedHashMap<>();
        current.groups().forEach(g -> members.put(g.name(), g.members()));
        next.getGroupsList().forEach(g -> members.put(g.getGroup(), new ArrayList<>(g.getMembersList())));
        return members;
    }
}

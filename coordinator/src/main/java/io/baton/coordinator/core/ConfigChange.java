package io.baton.coordinator.core;

import io.baton.proto.AppliedConfigProto;
import io.baton.proto.GroupMembersProto;
import io.baton.proto.GroupPolicyProto;
import io.baton.proto.GroupSpecProto;
import io.baton.proto.MembershipProto;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An operator's configuration change (ApplyConfig, {@code batonctl config apply}): which groups the
 * cluster has, with their members, autostart, mirror flag and policy. The proposer parsed the file and
 * sends the groups as the core runs them, so no replica parses YAML; the file's text travels alongside
 * for the nodes' agents, which build resources and monitors from it. Pure functions of the state and
 * the proposal, checked against the replicated state alone, so every replica decides alike.
 */
public final class ConfigChange {
    /** A cluster file is a few kilobytes; this bounds what one entry (and every snapshot) carries. */
    public static final int MAX_TEXT_BYTES = 256 * 1024;

    private ConfigChange() {
    }

    /** The groups of an applied configuration as the core runs them. */
    static List<Topology.GroupSpec> groups(AppliedConfigProto c) {
        return c.getGroupsList().stream().map(ConfigChange::spec).toList();
    }

    static Topology.GroupSpec spec(GroupSpecProto g) {
        return new Topology.GroupSpec(g.getName(), g.getMembersList(), g.getAutostart(), g.getMirrored(),
                g.hasPolicy() ? policy(g.getPolicy()) : GroupPolicy.DEFAULT);
    }

    /** What {@code spec} is on the wire: the proposer's side of {@link #spec}. */
    public static GroupSpecProto proto(Topology.GroupSpec spec) {
        GroupPolicy p = spec.policy();
        return GroupSpecProto.newBuilder().setName(spec.name()).addAllMembers(spec.members())
                .setAutostart(spec.autostart()).setMirrored(spec.mirrored())
                .setPolicy(GroupPolicyProto.newBuilder().setOnFailure(p.onFailure().name().toLowerCase(Locale.ROOT))
                        .setFailoverMax(p.failoverMax()).setFailoverWithinMs(p.failoverWithinMs())
                        .setFailureTimeoutMs(p.failureTimeoutMs())
                        .setFailback(p.failback().name().toLowerCase(Locale.ROOT))
                        .setFailbackAfterMs(p.failbackAfterMs()))
                .build();
    }

    private static GroupPolicy policy(GroupPolicyProto p) {
        return new GroupPolicy(GroupPolicy.OnFailure.valueOf(p.getOnFailure().toUpperCase(Locale.ROOT)), p.getFailoverMax(),
                p.getFailoverWithinMs(), p.getFailureTimeoutMs(),
                GroupPolicy.Failback.valueOf(p.getFailback().toUpperCase(Locale.ROOT)), p.getFailbackAfterMs());
    }

    /**
     * Why {@code next} may not become the configuration of {@code s} (whose topology is {@code current}),
     * or empty. {@code offlineRequired}: groups whose resources change, which must have no owner. The
     * proposer asks it too, on the leader's state, so that a dry run says what the commit would.
     */
    public static Optional<String> whyNot(ClusterState s, Topology current, AppliedConfigProto next, List<String> offlineRequired) {
        if (next.getText().length() > MAX_TEXT_BYTES) {
            return Optional.of("the cluster file is larger than " + MAX_TEXT_BYTES / 1024 + " KiB");
        }
        Set<String> data = new HashSet<>();
        current.nodes().stream().filter(n -> !n.witness()).forEach(n -> data.add(n.id()));
        Set<String> names = new HashSet<>();
        for (GroupSpecProto g : next.getGroupsList()) {
            Topology.GroupSpec spec;
            try {
                spec = spec(g);
            } catch (IllegalArgumentException e) {
                return Optional.of("group '" + g.getName() + "': " + e.getMessage());
            }
            if (g.getName().isEmpty()) {
                return Optional.of("a group without a name");
            }
            if (!names.add(g.getName())) {
                return Optional.of("group '" + g.getName() + "' is listed twice");
            }
            if (spec.members().isEmpty()) {
                return Optional.of("group '" + g.getName() + "' has no member");
            }
            if (new HashSet<>(spec.members()).size() != spec.members().size()) {
                return Optional.of("group '" + g.getName() + "' lists a member twice: " + String.join(", ", spec.members()));
            }
            for (String node : spec.members()) {
                if (!data.contains(node)) {
                    return Optional.of("group '" + g.getName() + "' member '" + node + "' is "
                            + (current.node(node).isPresent() ? "a witness: witnesses own no group" : "not a node of the cluster"));
                }
            }
            GroupState state = s.groups.get(g.getName());
            Optional<Topology.GroupSpec> was = current.group(g.getName());
            if (state == null || was.isEmpty()) {
                continue;
            }
            if (was.get().mirrored() != spec.mirrored()) {
                return Optional.of("group '" + g.getName() + "': a mirror disk cannot be " + (spec.mirrored() ? "added to" : "removed from")
                        + " a group by config apply");
            }
            if (state.owner != null && !spec.members().contains(state.owner)) {
                return Optional.of("node '" + state.owner + "' owns group '" + g.getName() + "' (" + word(state)
                        + ") and would no longer be a member: move it first ('batonctl move " + g.getName() + "')");
            }
            if (state.moveTarget != null && !spec.members().contains(state.moveTarget)) {
                return Optional.of("group '" + g.getName() + "' is moving to '" + state.moveTarget + "': wait for the move to end");
            }
        }
        for (GroupState g : s.groups.values()) {
            if (!names.contains(g.name) && busy(g)) {
                return Optional.of("group '" + g.name + "' is " + word(g) + (g.owner == null ? "" : " on " + g.owner)
                        + ": stop it before removing it ('batonctl stop " + g.name + "')");
            }
        }
        for (String name : offlineRequired) {
            GroupState g = s.groups.get(name);
            if (g != null && busy(g)) {
                return Optional.of("group '" + name + "' is " + word(g) + (g.owner == null ? "" : " on " + g.owner)
                        + ": its resources change, which needs it stopped first ('batonctl stop " + name + "')");
            }
        }
        return Optional.empty();
    }

    /** A group with an owner or a move under way: its resources may be running somewhere. */
    private static boolean busy(GroupState g) {
        return g.owner != null || g.moveTarget != null;
    }

    private static String word(GroupState g) {
        return g.phase.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Makes {@code next} the configuration of {@code s}: a new group starts offline (waiting for an
     * operator's start unless it autostarts), a removed one is forgotten, and an operator's membership,
     * if any, takes the new groups' members so that it keeps listing every group.
     */
    static void apply(ClusterState s, AppliedConfigProto next) {
        Map<String, GroupState> was = new java.util.LinkedHashMap<>(s.groups);
        s.groups.clear();
        for (GroupSpecProto g : next.getGroupsList()) {
            GroupState state = was.get(g.getName());
            if (state == null) {
                state = new GroupState(g.getName());
                state.adminStopped = !g.getAutostart();
            } else {
                // A member that left has no replica, failure record or report here any more.
                state.replicas.keySet().retainAll(g.getMembersList());
                state.failures.keySet().retainAll(g.getMembersList());
                state.reports.keySet().retainAll(g.getMembersList());
                // A new member of a mirrored group is granted nothing before the owner copied the whole disk to it.
                if (g.getMirrored() && !state.replicas.isEmpty()) {
                    GroupState st = state;
                    g.getMembersList().forEach(node -> st.replicas.putIfAbsent(node, Replica.INCONSISTENT));
                }
            }
            s.groups.put(g.getName(), state);
        }
        if (s.membership != null) {
            MembershipProto.Builder m = s.membership.toBuilder().clearGroups();
            next.getGroupsList().forEach(g -> m.addGroups(GroupMembersProto.newBuilder().setGroup(g.getName())
                    .addAllMembers(g.getMembersList())));
            s.setMembership(m.build());
        }
        s.setAppliedConfig(next);
    }
}

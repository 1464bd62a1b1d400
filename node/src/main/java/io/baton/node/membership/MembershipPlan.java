package io.baton.node.membership;

import io.baton.coordinator.core.Membership;
import io.baton.proto.GroupMembersProto;
import io.baton.proto.MemberProto;
import io.baton.proto.MembershipProto;
import java.util.List;

/**
 * Each step of a membership change as a pure function of the membership before it: the next
 * membership, or a {@link Refused} naming what is wrong. The core checks the result again against
 * the replicated state (owners, at least three nodes); these checks say it first, and in the
 * operator's terms.
 */
public final class MembershipPlan {
    /** A change that cannot be made, with the reason for the operator. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private MembershipPlan() {
    }

    /** {@code node} joins the membership (no group yet). */
    public static MembershipProto add(MembershipProto current, MemberProto node) throws Refused {
        requireNew(current, node);
        return current.toBuilder().addNodes(node).build();
    }

    /**
     * {@code node} leaves the membership. Refused while it is a member of a group (replace it there
     * instead), and when fewer than three nodes would be left.
     */
    public static MembershipProto remove(MembershipProto current, String node) throws Refused {
        requireKnown(current, node);
        for (GroupMembersProto g : current.getGroupsList()) {
            if (g.getMembersList().contains(node)) {
                throw new Refused("node '" + node + "' is a member of group '" + g.getGroup() + "': use 'batonctl node replace "
                        + node + " --with NEW ...' to put another data node in its place");
            }
        }
        requireEnoughLeft(current.getNodesCount() - 1);
        MembershipProto.Builder b = current.toBuilder().clearNodes();
        current.getNodesList().stream().filter(n -> !n.getId().equals(node)).forEach(b::addNodes);
        return b.build();
    }

    /** In every group, {@code with} takes {@code old}'s place in the preference order. Both must be members already. */
    public static MembershipProto replaceInGroups(MembershipProto current, String old, String with) throws Refused {
        requireKnown(current, old);
        MemberProto replacement = requireKnown(current, with);
        if (replacement.getWitness()) {
            throw new Refused("node '" + with + "' is a witness: only a data node can take a data node's place in its groups");
        }
        MembershipProto.Builder b = current.toBuilder().clearGroups();
        for (GroupMembersProto g : current.getGroupsList()) {
            List<String> members = g.getMembersList();
            if (members.contains(old) && members.contains(with)) {
                throw new Refused("node '" + with + "' is already a member of group '" + g.getGroup() + "'");
            }
            b.addGroups(g.toBuilder().clearMembers().addAllMembers(
                    members.stream().map(m -> m.equals(old) ? with : m).toList()));
        }
        return b.build();
    }

    /** Whether {@code old} is still a member of some group. */
    public static boolean inAnyGroup(MembershipProto m, String node) {
        return m.getGroupsList().stream().anyMatch(g -> g.getMembersList().contains(node));
    }

    private static void requireNew(MembershipProto current, MemberProto node) throws Refused {
        for (MemberProto n : current.getNodesList()) {
            if (n.getId().equals(node.getId())) {
                throw new Refused("node '" + node.getId() + "' is already a member of the cluster");
            }
            if (n.getRaft().equals(node.getRaft())) {
                throw new Refused("Raft address " + node.getRaft() + " is node '" + n.getId() + "''s");
            }
        }
    }

    private static MemberProto requireKnown(MembershipProto current, String node) throws Refused {
        return Members.node(current, node).orElseThrow(() -> new Refused("unknown node '" + node + "'; nodes: "
                + String.join(", ", Members.ids(current))));
    }

    private static void requireEnoughLeft(int left) throws Refused {
        if (left < Membership.MIN_NODES) {
            throw new Refused("it would leave " + left + " nodes: Baton needs at least three voters (two data nodes and"
                    + " a witness) to survive the loss of one; add the new node first");
        }
    }
}

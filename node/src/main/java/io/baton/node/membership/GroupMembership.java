package io.baton.node.membership;

import io.baton.node.config.GroupConfig;
import io.baton.proto.GroupMembersProto;
import io.baton.proto.MembershipProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each group's members as the cluster runs by them: the membership's list, or the cluster file's for a
 * group the membership does not list, or lists with no members (one added to the file after the last
 * change), as the core reads them (coordinator {@code Membership.over}). Indexed by group name once,
 * for passes over every group: a search of the membership's list per group was, over 200 groups once
 * a second (the configuration follower) or per status call, 20,000 comparisons.
 */
public final class GroupMembership {
    private final Map<String, List<String>> listed = new HashMap<>();

    private GroupMembership(MembershipProto m) {
        for (GroupMembersProto g : m.getGroupsList()) {
            listed.putIfAbsent(g.getGroup(), List.copyOf(g.getMembersList())); // the first, as a search finds
        }
    }

    public static GroupMembership of(MembershipProto m) {
        return new GroupMembership(m);
    }

    /** {@code group}'s members, most preferred first. */
    public List<String> members(GroupConfig group) {
        List<String> l = listed.get(group.name());
        return l == null || l.isEmpty() ? group.nodes() : l;
    }
}

package io.baton.node.membership;

import io.baton.node.config.GroupConfig;
import io.baton.proto.GroupMembersProto;
import io.baton.proto.MembershipProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A membership's member lists by group name, for a pass over every group: {@link Members#groupMembers}
 * searches the membership's list for each group, which over 200 groups once a second (the configuration
 * follower) or per status call is 20,000 comparisons. Same answers: a group the membership does not list,
 * or lists with no members, has its configuration's members.
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

package io.baton.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.node.config.GroupConfig;
import io.baton.proto.GroupMembersProto;
import io.baton.proto.MembershipProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each group's members: the membership's first list for it, else the configuration's. */
class GroupMembershipTest {
    private static GroupConfig group(String name, String... nodes) {
        return new GroupConfig(name, List.of(nodes), true, List.of());
    }

    @Test
    void aListedGroupHasTheMembershipsMembers_anUnlistedOrEmptyOneItsConfigurations() {
        MembershipProto m = MembershipProto.newBuilder()
                .addGroups(GroupMembersProto.newBuilder().setGroup("web").addMembers("server3").addMembers("server1"))
                .addGroups(GroupMembersProto.newBuilder().setGroup("empty"))
                .addGroups(GroupMembersProto.newBuilder().setGroup("web").addMembers("later")).build();
        GroupMembership byGroup = GroupMembership.of(m);
        assertEquals(List.of("server3", "server1"), byGroup.members(group("web", "server1", "server2")));
        assertEquals(List.of("server2"), byGroup.members(group("empty", "server2")));
        assertEquals(List.of("server2", "server1"), byGroup.members(group("db", "server2", "server1")));
    }
}

package io.baton.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.GroupMembersProto;
import io.baton.proto.MemberProto;
import io.baton.proto.MembershipProto;
import io.baton.proto.admin.NewNode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure steps of a membership change and their refusals. */
class MembershipPlanTest {
    private static MemberProto node(String id, boolean witness, int n) {
        return MemberProto.newBuilder().setId(id).setWitness(witness).setRaft("198.18.0." + n + ":7400")
                .setAdmin("198.18.0." + n + ":7401").build();
    }

    private static final MembershipProto BOOT = MembershipProto.newBuilder()
            .addNodes(node("server1", false, 1)).addNodes(node("server2", false, 2)).addNodes(node("witness", true, 3))
            .addGroups(GroupMembersProto.newBuilder().setGroup("web").addMembers("server1").addMembers("server2"))
            .addGroups(GroupMembersProto.newBuilder().setGroup("db").addMembers("server2").addMembers("server1"))
            .build();

    @Test
    void replaceKeepsThePreferenceOrderInEveryGroup() throws Exception {
        MembershipProto added = MembershipPlan.add(BOOT, node("server3", false, 4));
        assertEquals(List.of("server1", "server2", "witness", "server3"), Members.ids(added));
        MembershipProto replaced = MembershipPlan.replaceInGroups(added, "server2", "server3");
        assertEquals(List.of("server1", "server3"), Members.groupMembers(replaced, "web"));
        assertEquals(List.of("server3", "server1"), Members.groupMembers(replaced, "db"));
        MembershipProto removed = MembershipPlan.remove(replaced, "server2");
        assertEquals(List.of("server1", "witness", "server3"), Members.ids(removed));
    }

    @Test
    void refusalsNameTheProblem() throws Exception {
        assertTrue(assertThrows(MembershipPlan.Refused.class, () -> MembershipPlan.add(BOOT, node("server2", false, 9)))
                .getMessage().contains("already a member"));
        assertTrue(assertThrows(MembershipPlan.Refused.class, () -> MembershipPlan.add(BOOT, node("server3", false, 1)))
                .getMessage().contains("server1"), "the Raft address of another node");
        assertTrue(assertThrows(MembershipPlan.Refused.class, () -> MembershipPlan.remove(BOOT, "server2"))
                .getMessage().contains("member of group 'web'"));
        assertTrue(assertThrows(MembershipPlan.Refused.class, () -> MembershipPlan.remove(BOOT, "witness"))
                .getMessage().contains("at least three"));
        assertTrue(assertThrows(MembershipPlan.Refused.class, () -> MembershipPlan.remove(BOOT, "nobody"))
                .getMessage().contains("unknown node 'nobody'"));
        MembershipProto withWitness2 = MembershipPlan.add(BOOT, node("witness2", true, 5));
        assertTrue(assertThrows(MembershipPlan.Refused.class,
                () -> MembershipPlan.replaceInGroups(withWitness2, "server2", "witness2")).getMessage().contains("witness"));
        assertTrue(assertThrows(MembershipPlan.Refused.class,
                () -> MembershipPlan.replaceInGroups(BOOT, "server2", "server1")).getMessage().contains("already a member of group"));
    }

    @Test
    void aRequestedNodeIsChecked() throws Exception {
        NewNode ok = NewNode.newBuilder().setId("server3").setRole("data").setRaft("198.18.0.4:7400")
                .setAdmin("198.18.0.4:7401").setMirror("198.18.0.4:7402").build();
        MemberProto m = Members.fromRequest(ok);
        assertEquals("198.18.0.4:7402", m.getMirror());
        assertTrue(assertThrows(MembershipPlan.Refused.class, () -> Members.fromRequest(ok.toBuilder().setRole("boss").build()))
                .getMessage().contains("--role must be data or witness"));
        assertTrue(assertThrows(MembershipPlan.Refused.class, () -> Members.fromRequest(ok.toBuilder().setRaft("nope").build()))
                .getMessage().startsWith("--raft: "));
        assertTrue(assertThrows(MembershipPlan.Refused.class, () -> Members.fromRequest(ok.toBuilder().clearAdmin().build()))
                .getMessage().contains("--admin HOST:PORT is required"));
        assertTrue(assertThrows(MembershipPlan.Refused.class, () -> Members.fromRequest(ok.toBuilder().setId("a b").build()))
                .getMessage().contains("node id"));
        assertTrue(assertThrows(MembershipPlan.Refused.class,
                () -> Members.fromRequest(ok.toBuilder().setRole("witness").build())).getMessage().contains("no mirror address"));
    }

    @Test
    void theVotersKeepAMajorityOnTheWay() {
        Set<String> three = Set.of("server1", "server2", "witness");
        Set<String> four = Set.of("server1", "server2", "witness", "server3");
        // server2 is gone: adding server3 keeps 3 of 4, removing server2 then keeps 3 of 3.
        assertNull(VoterQuorum.problem(three, four, Set.of("server1", "witness", "server3")));
        assertNull(VoterQuorum.problem(four, Set.of("server1", "witness", "server3"), Set.of("server1", "witness", "server3")));
        // Two of three down: no change keeps a majority.
        assertTrue(VoterQuorum.problem(three, four, Set.of("server1", "server3")).contains("lose its quorum"));
        // Four voters, two down: removing a live one leaves one of three.
        assertTrue(VoterQuorum.problem(four, Set.of("server1", "server2", "witness"), Set.of("server1", "server3"))
                .contains("lose its quorum"));
        assertTrue(VoterQuorum.problem(three, Set.of("server1", "witness"), three).contains("at least three"));
    }
}

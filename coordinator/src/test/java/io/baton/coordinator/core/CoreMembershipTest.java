package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.Caller;
import io.baton.proto.Command;
import io.baton.proto.GroupMembersProto;
import io.baton.proto.MemberProto;
import io.baton.proto.MembershipProto;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.ResultCode;
import io.baton.proto.SetMembership;
import io.baton.proto.SetProtocolVersion;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SetMembership: the replicated membership an operator changes one step at a time. */
class CoreMembershipTest {
    private static final Topology TOPOLOGY = new Topology(
            List.of(new Topology.NodeSpec("server1", false), new Topology.NodeSpec("server2", false),
                    new Topology.NodeSpec("witness", true)),
            List.of(new Topology.GroupSpec("web", List.of("server1", "server2"), true, true),
                    new Topology.GroupSpec("plain", List.of("server2", "server1"), true)));

    private static MemberProto member(String id, boolean witness, int n) {
        return MemberProto.newBuilder().setId(id).setWitness(witness).setRaft("10.0.0." + n + ":7400")
                .setAdmin("10.0.0." + n + ":7401").setMirror(witness ? "" : "10.0.0." + n + ":7402").build();
    }

    private static final MemberProto SERVER1 = member("server1", false, 1);
    private static final MemberProto SERVER2 = member("server2", false, 2);
    private static final MemberProto WITNESS = member("witness", true, 3);
    private static final MemberProto SERVER3 = member("server3", false, 4);

    private static MembershipProto membership(List<MemberProto> nodes, Map<String, List<String>> groups) {
        MembershipProto.Builder b = MembershipProto.newBuilder().addAllNodes(nodes);
        groups.forEach((g, m) -> b.addGroups(GroupMembersProto.newBuilder().setGroup(g).addAllMembers(m)));
        return b.build();
    }

    private static Command set(long expected, MembershipProto m, String reason) {
        return Command.newBuilder().setSetMembership(SetMembership.newBuilder().setExpectedVersion(expected)
                .setMembership(m).setReason(reason)).build();
    }

    private static final Map<String, List<String>> BOOT_GROUPS = Map.of(
            "web", List.of("server1", "server2"), "plain", List.of("server2", "server1"));
    private static final MembershipProto ADDED = membership(List.of(SERVER1, SERVER2, WITNESS, SERVER3), BOOT_GROUPS);
    private static final MembershipProto REPLACED = membership(List.of(SERVER1, SERVER2, WITNESS, SERVER3),
            Map.of("web", List.of("server1", "server3"), "plain", List.of("server3", "server1")));
    private static final MembershipProto REMOVED = membership(List.of(SERVER1, WITNESS, SERVER3),
            Map.of("web", List.of("server1", "server3"), "plain", List.of("server3", "server1")));

    /** web (mirrored) online on server1 with server2 UpToDate, plain online on server2, at protocol 3. */
    private static CoreFixture cluster() {
        CoreFixture f = new CoreFixture(TOPOLOGY);
        f.allAlive();
        f.ok(Command.newBuilder().setSetProtocol(SetProtocolVersion.newBuilder().setVersion(Protocol.MEMBERSHIP)).build());
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE));
        f.ok(CoreFixture.replicaUpdate("web", "server2", ReplicaStateProto.REPLICA_UP_TO_DATE, "server1", 1));
        f.ok(CoreFixture.grant("plain", "server2", 0));
        f.beat("server2", report("plain", 1, ActivityProto.ACTIVITY_ACTIVE));
        return f;
    }

    /** plain moved off server2 (so that server2 owns nothing) and online on server1. */
    private static void plainMovedToServer1(CoreFixture f) {
        f.ok(CoreFixture.move("plain", "server1"));
        f.beat("server2", CoreFixture.released("plain", 1));
        f.beat("server1", report("plain", 2, ActivityProto.ACTIVITY_ACTIVE));
    }

    @Test
    void aNodeJoinsUnheardOfAndLeavesGroupsAlone() {
        CoreFixture f = cluster();
        f.ok(set(0, ADDED, "add server3"));
        assertEquals(1, Membership.version(f.state));
        assertTrue(f.state.node("server3").isPresent());
        assertFalse(f.node("server3").alive());
        assertEquals(List.of("server1", "server2"), f.core.topology(f.state).group("web").orElseThrow().members());
        assertEquals("membership", f.lastEvent().getKind());
        assertTrue(f.lastEvent().getMessage().contains("add server3"), f.lastEvent().getMessage());
        f.beat("server3");
        assertTrue(f.node("server3").alive(), "a member's heartbeat counts");
    }

    @Test
    void aReplacementGetsAnInconsistentReplicaAndTheOldNodeLosesItsGroups() {
        CoreFixture f = cluster();
        f.ok(set(0, ADDED, "add server3"));
        f.beat("server3");
        // plain is online on server2: server2 must not leave it while it owns it.
        f.refused(set(1, REPLACED, "replace"), ResultCode.RESULT_FAILED_PRECONDITION, "server2", "owns group 'plain'", "move");
        plainMovedToServer1(f);

        f.ok(set(1, REPLACED, "replace server2 with server3"));
        Topology live = f.core.topology(f.state);
        assertEquals(List.of("server1", "server3"), live.group("web").orElseThrow().members());
        assertEquals(List.of("server3", "server1"), live.group("plain").orElseThrow().members());
        assertEquals(Replica.INCONSISTENT, f.group("web").replicas.get("server3"), "never UpToDate before its copy");
        assertFalse(f.group("web").replicas.containsKey("server2"));
        assertTrue(ReplicaRules.whyNotGrantable(live, f.group("web"), "server3").isPresent());
        // The owner records the copy done: then server3 may be granted web.
        f.ok(CoreFixture.replicaUpdate("web", "server3", ReplicaStateProto.REPLICA_UP_TO_DATE, "server1", 1));
        assertTrue(ReplicaRules.grantable(live, f.group("web"), "server3"));
        f.refused(CoreFixture.move("web", "server2"), ResultCode.RESULT_INVALID_ARGUMENT, "not a member");

        f.ok(set(2, REMOVED, "remove server2"));
        assertTrue(f.state.node("server2").isEmpty());
        f.refused(CoreFixture.heartbeat("server2", 1, 1000), ResultCode.RESULT_NOT_FOUND, "unknown node 'server2'");
    }

    @Test
    void staleVersionsSmallClustersAndBadMembersAreRefused() {
        CoreFixture f = cluster();
        f.refused(set(3, ADDED, "add"), ResultCode.RESULT_STALE, "version 0");
        f.refused(set(0, membership(List.of(SERVER1, WITNESS), Map.of("web", List.of("server1"), "plain", List.of("server1"))), "x"),
                ResultCode.RESULT_FAILED_PRECONDITION, "at least 3");
        f.refused(set(0, membership(List.of(SERVER1, SERVER2, WITNESS, SERVER3),
                Map.of("web", List.of("server1", "witness"))), "x"), ResultCode.RESULT_FAILED_PRECONDITION, "witness");
        f.refused(set(0, membership(List.of(SERVER1, SERVER2, WITNESS, SERVER3.toBuilder().setRaft(SERVER1.getRaft()).build()),
                BOOT_GROUPS), "x"), ResultCode.RESULT_FAILED_PRECONDITION, "Raft address");
        f.refused(set(0, membership(List.of(SERVER1, SERVER2, WITNESS, SERVER3),
                Map.of("web", List.of("server1", "server9"))), "x"), ResultCode.RESULT_FAILED_PRECONDITION, "server9", "not a node");
        f.ok(set(0, ADDED, "add"));
        f.refused(set(0, ADDED, "add again"), ResultCode.RESULT_STALE, "version 1");
    }

    /**
     * A joining node's file lists itself (here between the others), so its replica starts with one node
     * more, elsewhere; from the membership entry on it holds the same state as every other replica.
     */
    @Test
    void aJoiningReplicaWhoseFileListsItHasTheSameStateAfterTheEntry() {
        Topology joinersFile = new Topology(List.of(new Topology.NodeSpec("server1", false),
                new Topology.NodeSpec("server3", false), new Topology.NodeSpec("server2", false),
                new Topology.NodeSpec("witness", true)), TOPOLOGY.groups());
        CoreFixture member = new CoreFixture(TOPOLOGY);
        CoreFixture joiner = new CoreFixture(joinersFile);
        for (CoreFixture f : List.of(member, joiner)) {
            f.ok(Command.newBuilder().setSetProtocol(SetProtocolVersion.newBuilder().setVersion(Protocol.MEMBERSHIP)).build());
            f.ok(set(0, ADDED, "add server3"));
        }
        assertEquals(StateCodec.toProto(member.state), StateCodec.toProto(joiner.state));
    }

    @Test
    void beforeProtocol3TheChangeIsRefused() {
        CoreFixture f = new CoreFixture(TOPOLOGY);
        f.allAlive();
        f.refused(set(0, ADDED, "add"), ResultCode.RESULT_FAILED_PRECONDITION, "protocol", "upgrade");
    }

    @Test
    void anOperatorNeedsTheAdminRole() {
        CoreFixture f = new CoreFixture(TOPOLOGY, true);
        f.allAlive();
        f.ok(Command.newBuilder().setSetProtocol(SetProtocolVersion.newBuilder().setVersion(Protocol.MEMBERSHIP))
                .setProposer("server1").setAppendedBy("server1").build());
        Command change = set(0, ADDED, "add").toBuilder().setProposer("server1").setAppendedBy("server1")
                .setCaller(Caller.newBuilder().setName("bob").setRole("operator")).build();
        f.refused(change, ResultCode.RESULT_PERMISSION_DENIED, "bob");
        f.ok(change.toBuilder().setCaller(Caller.newBuilder().setName("alice").setRole("admin")).build());
    }

    @Test
    void theSnapshotKeepsTheMembershipOverTheFile() {
        CoreFixture f = cluster();
        f.ok(set(0, ADDED, "add server3"));
        plainMovedToServer1(f);
        f.ok(set(1, REPLACED, "replace"));
        ClusterState back = StateCodec.fromProto(StateCodec.toProto(f.state), TOPOLOGY);
        assertEquals(StateCodec.toProto(f.state), StateCodec.toProto(back));
        assertEquals(List.of("server1", "server3"), back.topology(TOPOLOGY).group("web").orElseThrow().members());
        assertTrue(back.node("server3").isPresent());
    }

    @Test
    void theControllerGrantsToTheReplacementOnceItsCopyIsDone() {
        CoreFixture f = cluster();
        f.ok(set(0, ADDED, "add server3"));
        plainMovedToServer1(f);
        f.ok(set(1, REPLACED, "replace"));
        f.beat("server3");
        Controller controller = new Controller(TOPOLOGY, ControllerTest.TIMING);
        // server1's lease runs out: server3's replica is Inconsistent, so web waits (S3).
        long now = ControllerTest.T0;
        Liveness heardAllButServer1 = new Liveness(now - 60_000 * ControllerTest.MS,
                Map.of("server1", now - 10_000 * ControllerTest.MS, "server3", now, "witness", now));
        List<Command> decided = controller.decide(f.state, heardAllButServer1, now);
        assertTrue(decided.stream().noneMatch(c -> c.hasGrant() && c.getGrant().getGroup().equals("web")
                && c.getGrant().getNode().equals("server3")), decided.toString());
        f.ok(CoreFixture.replicaUpdate("web", "server3", ReplicaStateProto.REPLICA_UP_TO_DATE, "server1", 1));
        decided = controller.decide(f.state, heardAllButServer1, now);
        assertTrue(decided.stream().anyMatch(c -> c.hasGrant() && c.getGrant().getGroup().equals("web")
                && c.getGrant().getNode().equals("server3")), decided.toString());
    }
}

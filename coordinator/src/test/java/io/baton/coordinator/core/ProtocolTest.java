package io.baton.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.Heartbeat;
import io.baton.proto.ResultCode;
import io.baton.proto.SetProtocolVersion;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Protocol versions: a rolling upgrade runs at the old version until every node speaks the new one. */
class ProtocolTest {
    static final long MS = 1_000_000L;
    static final long T0 = 1_000_000 * MS;

    private static Command heartbeat(String node, long seq, int speaks, String configHash) {
        return Command.newBuilder().setHeartbeat(Heartbeat.newBuilder().setNode(node).setIncarnation(1).setSeq(seq)
                .setProtocolVersion(speaks).setConfigHash(configHash)).build();
    }

    private static Command setProtocol(int version) {
        return Command.newBuilder().setSetProtocol(SetProtocolVersion.newBuilder().setVersion(version)).build();
    }

    private static List<Command> decide(Controller c, ClusterState s) {
        Map<String, Long> heard = CoreFixture.TOPOLOGY.nodes().stream()
                .collect(Collectors.toMap(Topology.NodeSpec::id, n -> T0));
        return c.decide(s, new Liveness(T0 - 60_000 * MS, heard), T0);
    }

    @Test
    void theVersionRisesToWhatEveryNodeSpeaksAndThisBuildToo() {
        assertEquals(OptionalInt.of(2), Protocol.raiseTo(1, List.of(2, 2, 2)));
        assertEquals(OptionalInt.empty(), Protocol.raiseTo(1, List.of(2, 0, 2)), "a node of an older build says nothing");
        assertEquals(OptionalInt.empty(), Protocol.raiseTo(1, List.of(2, 1, 2)));
        assertEquals(OptionalInt.empty(), Protocol.raiseTo(2, List.of(2, 2, 2)), "already there");
        assertEquals(OptionalInt.of(Protocol.THIS_BUILD), Protocol.raiseTo(0, List.of(9, 9, 9)), "never past this build");
        assertEquals(OptionalInt.empty(), Protocol.raiseTo(0, List.of()), "no node: nothing to raise");
    }

    @Test
    void aClusterIsRaisedOnlyOnceItsLastNodeSpeaksTheNewVersionAndKeepsTheFileHashFromThen() {
        CoreFixture f = new CoreFixture();
        Controller controller = new Controller(CoreFixture.TOPOLOGY, ControllerTest.TIMING);
        assertEquals(1, f.state.protocolVersion(), "a new state is at the first version");
        f.ok(heartbeat("server1", 1, 2, "aaaa"));
        f.ok(heartbeat("server2", 2, 2, "aaaa"));
        f.ok(heartbeat("witness", 3, 0, ""));  // the witness still runs the older build
        assertTrue(decide(controller, f.state).stream().noneMatch(Command::hasSetProtocol));
        assertEquals("", f.node("server1").configHash(), "at version 1 the hash is not kept: the old witness would not");

        f.ok(heartbeat("witness", 4, 2, "aaaa")); // upgraded
        List<Command> raise = decide(controller, f.state).stream().filter(Command::hasSetProtocol).toList();
        assertEquals(List.of(setProtocol(2)), raise);
        f.ok(raise.get(0));
        assertEquals(2, f.state.protocolVersion());
        assertEquals("protocol", f.lastEvent().getKind());
        assertTrue(decide(controller, f.state).stream().noneMatch(Command::hasSetProtocol), "once");

        f.ok(heartbeat("server1", 5, 2, "bbbb"));
        assertEquals("bbbb", f.node("server1").configHash(), "from version 2 on the hash is kept");
        ClusterState back = StateCodec.fromProto(StateCodec.toProto(f.state), CoreFixture.TOPOLOGY);
        assertEquals(2, back.protocolVersion(), "a snapshot keeps the version");
        assertEquals(2, back.node("witness").orElseThrow().protocolSupported());
    }

    @Test
    void aVersionThisBuildDoesNotSpeakOrNoHigherIsRefusedAndChangesNothing() {
        CoreFixture f = new CoreFixture();
        f.refused(setProtocol(Protocol.THIS_BUILD + 1), ResultCode.RESULT_INVALID_ARGUMENT, "newer than this build");
        f.ok(setProtocol(2));
        f.refused(setProtocol(2), ResultCode.RESULT_STALE, "already");
        f.refused(setProtocol(1), ResultCode.RESULT_STALE, "already");
        assertEquals(2, f.state.protocolVersion());
    }

    @Test
    void onlyTheLeaderRaisesTheVersion() {
        CoreFixture f = new CoreFixture();
        Command byFollower = setProtocol(2).toBuilder().setProposer("server2").setAppendedBy("witness").build();
        f.refused(byFollower, ResultCode.RESULT_PERMISSION_DENIED, CommandAuthority.LEADERS_DECISION);
        f.ok(setProtocol(2).toBuilder().setProposer("witness").setAppendedBy("witness").build());
    }

    /** The state a protocol-1 build wrote (src/test/resources/upgrade/README.md) loads and moves on. */
    @Test
    void aStateWrittenByAVersionOneBuildLoadsAndIsRaisedOnceEveryNodeIsUpgraded() throws Exception {
        ClusterStateProto written;
        try (InputStream in = ProtocolTest.class.getResourceAsStream("/upgrade/state-v1.bin")) {
            written = ClusterStateProto.parseFrom(in.readAllBytes());
        }
        ClusterState s = StateCodec.fromProto(written, CoreFixture.TOPOLOGY);
        assertEquals(1, s.protocolVersion());
        GroupState web = s.group("web").orElseThrow();
        assertEquals("server2", web.owner());
        assertEquals(2, web.epoch());
        assertEquals(Phase.ONLINE, web.phase());
        assertEquals("server2", s.group("db").orElseThrow().owner());
        assertTrue(s.nodes().stream().allMatch(NodeState::alive));

        // This build goes on from it: the owner's heartbeats, then a takeover after its lease.
        Core core = new Core(CoreFixture.TOPOLOGY, false);
        long index = 100;
        long seq = 1000;
        for (String n : List.of("server1", "server2", "witness")) {
            Command hb = heartbeat(n, ++seq, 2, "cccc");
            assertEquals(ResultCode.RESULT_OK, core.apply(s, hb, ++index).getCode());
        }
        Controller controller = new Controller(CoreFixture.TOPOLOGY, ControllerTest.TIMING);
        Command raise = decide(controller, s).stream().filter(Command::hasSetProtocol).findFirst().orElseThrow();
        assertEquals(ResultCode.RESULT_OK, core.apply(s, raise, ++index).getCode());
        assertEquals(2, s.protocolVersion());
        Command takeover = Command.newBuilder().setGrant(io.baton.proto.Grant.newBuilder().setGroup("web")
                .setNode("server1").setExpectedEpoch(2).setOwnerIncarnation(s.node("server2").orElseThrow().incarnation())
                .setOwnerSeq(s.node("server2").orElseThrow().seq()).setReason("lease of server2 expired")).build();
        assertEquals(ResultCode.RESULT_OK, core.apply(s, takeover, ++index).getCode());
        assertEquals("server1", s.group("web").orElseThrow().owner());
        assertEquals(3, s.group("web").orElseThrow().epoch());
    }
}

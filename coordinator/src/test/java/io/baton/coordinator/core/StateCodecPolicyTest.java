package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.monitorFailed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ClusterStateProto;
import io.baton.proto.GroupStateProto;
import io.baton.proto.NodeStateProto;
import io.baton.proto.PhaseProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failure records, failover times, holds, maintenance and standby survive snapshots. */
class StateCodecPolicyTest {

    @Test
    void everyPolicyFieldRoundTrips() {
        CoreFixture f = PolicyFixture.allAlive();
        PolicyFixture.online(f, "app", "a");
        f.beat("a", monitorFailed("app", 1, "app: refused"));
        PolicyFixture.online(f, "halt", "b");
        f.beat("b", monitorFailed("halt", 1, "down"));
        f.ok(CoreFixture.maintenance("back", true));
        f.ok(CoreFixture.standby("c", true));

        ClusterStateProto p = StateCodec.toProto(f.state);
        GroupStateProto app = p.getGroups(0);
        assertEquals(List.of("a"), app.getFailedOnList(), "failed_on still written, for older readers");
        assertEquals("app: refused", app.getFailures(0).getReason());
        assertEquals(1, app.getFailoverWallMsCount());
        assertEquals("on_failure stop: down", p.getGroups(1).getHold());
        assertTrue(p.getGroups(2).getMaintenance());
        assertTrue(p.getNodes(2).getStandby());

        ClusterState back = StateCodec.fromProto(p, PolicyFixture.TOPOLOGY);
        assertEquals(p, StateCodec.toProto(back));
        GroupState g = back.group("app").orElseThrow();
        assertEquals(f.group("app").failures(), g.failures());
        assertEquals(f.group("app").failoverWallMs(), g.failoverWallMs());
        assertEquals("on_failure stop: down", back.group("halt").orElseThrow().holdReason());
        assertTrue(back.group("back").orElseThrow().maintenance());
        assertTrue(back.node("c").orElseThrow().standby());
        assertFalse(back.node("a").orElseThrow().standby());
    }

    @Test
    void takeoverAndMoveCountsRoundTripAndAreZeroInAnOldSnapshot() {
        CoreFixture f = PolicyFixture.allAlive();
        PolicyFixture.online(f, "app", "a");
        f.group("app").takeovers = 2;
        f.group("app").moves = 5;
        ClusterStateProto p = StateCodec.toProto(f.state);
        assertEquals(2, p.getGroups(0).getTakeovers());
        assertEquals(5, p.getGroups(0).getMoves());
        GroupState back = StateCodec.fromProto(p, PolicyFixture.TOPOLOGY).group("app").orElseThrow();
        assertEquals(2, back.takeovers());
        assertEquals(5, back.moves());
        GroupState old = StateCodec.fromProto(ClusterStateProto.newBuilder()
                .addGroups(GroupStateProto.newBuilder().setName("app").setEpoch(3)).build(), PolicyFixture.TOPOLOGY)
                .group("app").orElseThrow();
        assertEquals(0, old.takeovers());
        assertEquals(0, old.moves());
    }

    @Test
    void anOldSnapshotsFailedOnBecomesRecordsOfUnknownAge() {
        ClusterStateProto old = ClusterStateProto.newBuilder()
                .addGroups(GroupStateProto.newBuilder().setName("app").setEpoch(3).setPhase(PhaseProto.PHASE_FAILED)
                        .addFailedOn("b").addFailedOn("a"))
                .addNodes(NodeStateProto.newBuilder().setId("a").setAlive(true))
                .setNextEventSeq(7).build();
        ClusterState s = StateCodec.fromProto(old, PolicyFixture.TOPOLOGY);
        GroupState g = s.group("app").orElseThrow();
        assertEquals(List.of(new Failure("b", 0, ""), new Failure("a", 0, "")), g.failures());
        assertEquals(List.of(), g.failoverWallMs());
        assertFalse(g.held());
        assertFalse(g.maintenance());
        assertFalse(s.node("a").orElseThrow().standby());
    }
}

package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.heartbeat;
import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.GroupReport;
import io.baton.proto.Incarnate;
import io.baton.proto.MonitorReport;
import io.baton.proto.ResourceReport;
import io.baton.proto.ResultCode;
import org.junit.jupiter.api.Test;

/**
 * Incarnations come from a counter in the replicated state, never from a clock: each process asks for
 * one ({@code Incarnate}) before its first heartbeat, and from then on only heartbeats of that
 * incarnation count. A late heartbeat of a previous process, or a forged one with any incarnation,
 * changes nothing, not even liveness. Nodes that never asked keep the legacy rule (CoreHeartbeatTest).
 */
class CoreIncarnationTest {
    private final CoreFixture f = new CoreFixture();

    static Command incarnate(String node, long boot) {
        return Command.newBuilder().setIncarnate(Incarnate.newBuilder().setNode(node).setBoot(boot)).build();
    }

    private long incarnation(String node, long boot) {
        return f.ok(incarnate(node, boot)).getIncarnation();
    }

    @Test
    void eachProcessGetsTheNodesNextIncarnation() {
        assertEquals(1, incarnation("server1", 101));
        assertEquals(2, incarnation("server1", 102));
        assertEquals(1, incarnation("server2", 201), "a counter per node");
        assertEquals(3, incarnation("server1", 101), "a boot id seen before is another process now: a new one");
        assertEquals(3, f.node("server1").assignedIncarnation());
    }

    @Test
    void aRetriedIncarnateGetsTheSameIncarnationAndChangesNothing() {
        incarnation("server1", 101);
        f.ok(heartbeat("server1", 1, 1));
        f.ok(heartbeat("server1", 1, 2));
        ClusterStateProto before = StateCodec.toProto(f.state);

        CommandResult again = f.ok(incarnate("server1", 101));
        assertEquals(1, again.getIncarnation());
        assertEquals(before, StateCodec.toProto(f.state));
        assertEquals(2, f.node("server1").seq, "the running process's heartbeats go on where they were");
        f.ok(heartbeat("server1", 1, 3));
    }

    @Test
    void aHeartbeatOfAnotherIncarnationIsRefusedAndChangesNothingNotEvenLiveness() {
        f.allAlive();
        incarnation("server1", 101);
        f.ok(heartbeat("server1", 1, 1));
        f.ok(CoreFixture.liveness("server1", false));

        f.refused(heartbeat("server1", 2, 1), ResultCode.RESULT_STALE, "server1", "incarnation 2", "is 1");
        f.refused(heartbeat("server1", 0, 7), ResultCode.RESULT_STALE, "incarnation 0");
        assertFalse(f.node("server1").alive, "a refused heartbeat is no sign of life");

        f.ok(heartbeat("server1", 1, 2));
        assertTrue(f.node("server1").alive);
    }

    @Test
    void aForgedHugeIncarnationDoesNotHideTheRealReports() {
        f.allAlive();
        incarnation("server1", 101);
        f.ok(heartbeat("server1", 1, 1));
        f.ok(CoreFixture.grant("web", "server1", 0));

        f.refused(heartbeat("server1", Long.MAX_VALUE, 1, report("web", 1, ActivityProto.ACTIVITY_FAILED)),
                ResultCode.RESULT_STALE, "incarnation " + Long.MAX_VALUE);
        f.ok(heartbeat("server1", 1, 2, report("web", 1, ActivityProto.ACTIVITY_ACTIVE)));
        assertEquals(Phase.ONLINE, f.group("web").phase);
    }

    @Test
    void afterARestartTheOldProcessesLateHeartbeatsAreRefused() {
        f.allAlive();
        incarnation("server1", 101);
        f.ok(heartbeat("server1", 1, 50));
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.ok(heartbeat("server1", 1, 51, report("web", 1, ActivityProto.ACTIVITY_ACTIVE)));
        assertEquals(Phase.ONLINE, f.group("web").phase);

        assertEquals(2, incarnation("server1", 102));
        // The old process's heartbeat, sent before it died, commits late: it must not renew anything.
        CommandResult late = f.refused(heartbeat("server1", 1, 52, report("web", 1, ActivityProto.ACTIVITY_ACTIVE)),
                ResultCode.RESULT_STALE);
        assertEquals(0, late.getHeldCount(), "no grant confirmed to the old process");

        // The new process starts its seq at 1: its first heartbeat counts whatever the old seq was.
        f.ok(heartbeat("server1", 2, 1, report("web", 1, ActivityProto.ACTIVITY_STOPPING)));
        assertEquals(Phase.STARTING, f.group("web").phase, "the new process's report counts");
        assertEquals(2, f.node("server1").incarnation);
        assertEquals(1, f.node("server1").seq);
    }

    @Test
    void aNewIncarnationsCountersStartFromZero() {
        f.allAlive();
        incarnation("server1", 101);
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.ok(heartbeat("server1", 1, 1, restarts(3)));
        int events = f.state.events().size();

        incarnation("server1", 102);
        f.ok(heartbeat("server1", 2, 1, restarts(1)));
        assertEquals(java.util.List.of("restarted"), f.kindsSince(events), "1 restart since the new process started");
    }

    @Test
    void aNodeThatBootedWithItsClockInTheFutureIsHeardOnceItAsks() {
        // Legacy: the previous process stamped its incarnation from a wall clock years ahead.
        f.allAlive();
        f.ok(heartbeat("server1", 4_000_000_000_000L, 9));
        f.ok(CoreFixture.grant("web", "server1", 0));

        assertEquals(1, incarnation("server1", 101));
        f.ok(heartbeat("server1", 1, 1, report("web", 1, ActivityProto.ACTIVITY_ACTIVE)));
        assertEquals(Phase.ONLINE, f.group("web").phase);
        f.refused(heartbeat("server1", 4_000_000_000_000L, 10), ResultCode.RESULT_STALE);
    }

    @Test
    void theAssignmentSurvivesASnapshot() {
        incarnation("server1", 101);
        incarnation("server1", 102);
        f.ok(heartbeat("server1", 2, 3));

        ClusterState restored = StateCodec.fromProto(StateCodec.toProto(f.state), CoreFixture.TOPOLOGY);
        assertEquals(StateCodec.toProto(f.state), StateCodec.toProto(restored));
        NodeState n = restored.node("server1").orElseThrow();
        assertEquals(2, n.assignedIncarnation);
        assertEquals(102, n.boot);

        Core core = new Core(CoreFixture.TOPOLOGY);
        assertEquals(ResultCode.RESULT_STALE, core.apply(restored, heartbeat("server1", 9, 1), 100).getCode());
        assertEquals(2, core.apply(restored, incarnate("server1", 102), 101).getIncarnation(), "a retry after the snapshot");
        assertEquals(3, core.apply(restored, incarnate("server1", 103), 102).getIncarnation());
    }

    @Test
    void badIncarnatesAreRefused() {
        f.refused(incarnate("ghost", 1), ResultCode.RESULT_NOT_FOUND, "ghost");
        f.refused(incarnate("server1", 0), ResultCode.RESULT_INVALID_ARGUMENT, "server1", "boot");
    }

    private static GroupReport restarts(long total) {
        return report("web", 1, ActivityProto.ACTIVITY_ACTIVE).toBuilder()
                .addResources(ResourceReport.newBuilder().setName("app").setType("exec").setState("active")
                        .setMonitor(MonitorReport.newBuilder().setVerdict("healthy").setRestartsTotal(total)))
                .build();
    }
}

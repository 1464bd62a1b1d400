package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.report;
import static io.baton.coordinator.core.CoreFixture.start;
import static io.baton.coordinator.core.CoreFixture.stop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An operator's start and stop. */
class CoreStartStopTest {
    private final CoreFixture f = new CoreFixture();

    private Event lastEvent() {
        List<Event> events = f.state.events();
        return events.get(events.size() - 1);
    }

    @Test
    void groupWithoutAutostartBeginsStopped() {
        assertTrue(f.group("batch").adminStopped);
        assertFalse(f.group("web").adminStopped);
    }

    @Test
    void startWithoutNodeLetsTheControllerChoose() {
        f.allAlive();
        CommandResult r = f.ok(start("batch", ""));
        assertEquals("starting batch on the first eligible node", r.getMessage());
        GroupState g = f.group("batch");
        assertFalse(g.adminStopped);
        assertNull(g.owner);
        assertEquals(Phase.OFFLINE, g.phase);
        assertEquals("start", lastEvent().getKind());
        assertEquals("", lastEvent().getNode());

        r = f.ok(start("web", ""));
        assertEquals("web will start on the first eligible node", r.getMessage());
    }

    @Test
    void startOnANodeGrantsAnOfflineGroupThere() {
        f.allAlive();
        CommandResult r = f.ok(start("web", "server2"));
        assertEquals("starting web on server2", r.getMessage());
        assertEquals("server2", f.group("web").owner);
        assertEquals(1, f.group("web").epoch);
        assertEquals(Phase.STARTING, f.group("web").phase);
        assertEquals("operator start", lastEvent().getMessage());
    }

    @Test
    void startOnAnotherNodeMovesAnOwnedGroup() {
        f.webOnlineOnServer1();
        CommandResult r = f.ok(start("web", "server2"));
        assertEquals("moving web from server1 to server2", r.getMessage());
        assertEquals(Phase.RELEASING, f.group("web").phase);
        assertEquals("server2", f.group("web").moveTarget);
    }

    @Test
    void startOfARunningGroupSaysWhere() {
        f.webOnlineOnServer1();
        assertEquals("web is already running on server1", f.ok(start("web", "")).getMessage());
        assertEquals("web is already running on server1", f.ok(start("web", "server1")).getMessage());
        assertEquals(Phase.ONLINE, f.group("web").phase);
        assertEquals(1, f.group("web").epoch);
    }

    @Test
    void startDuringAStopRestartsOnTheOwnerOnceReleased() {
        f.webOnlineOnServer1();
        f.ok(stop("web"));
        CommandResult r = f.ok(start("web", ""));
        assertEquals("web will start on server1 once it has stopped", r.getMessage());
        GroupState g = f.group("web");
        assertFalse(g.adminStopped);
        assertEquals(Phase.RELEASING, g.phase);
        assertEquals("server1", g.moveTarget);
        f.beat("server1", CoreFixture.released("web", 1));
        assertEquals("server1", g.owner);
        assertEquals(2, g.epoch, "a new epoch: the released one is never activated again");
        assertEquals(Phase.STARTING, g.phase);
    }

    @Test
    void startOnANodeDuringAStopStartsThereOnceReleased() {
        f.webOnlineOnServer1();
        f.ok(stop("web"));
        assertEquals("web will start on server2 once it has stopped", f.ok(start("web", "server2")).getMessage());
        f.beat("server1", CoreFixture.released("web", 1));
        assertEquals("server2", f.group("web").owner);
        assertEquals(2, f.group("web").epoch);
    }

    @Test
    void startOfAFailedGroupClearsItsFailures() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_FAILED));
        assertEquals(Phase.FAILED, f.group("web").phase);
        f.ok(start("web", ""));
        assertTrue(f.group("web").failedOn().isEmpty());
        assertEquals(Phase.OFFLINE, f.group("web").phase);
        assertEquals(1, f.group("web").epoch);
    }

    @Test
    void startRefusals() {
        f.allAlive();
        f.refused(start("nope", ""), ResultCode.RESULT_NOT_FOUND, "nope");
        f.refused(start("batch", "witness"), ResultCode.RESULT_INVALID_ARGUMENT, "witness");
        f.refused(start("batch", "server2"), ResultCode.RESULT_INVALID_ARGUMENT, "server2", "batch");
        f.refused(start("batch", "ghost"), ResultCode.RESULT_NOT_FOUND, "ghost");
        f.ok(CoreFixture.liveness("server1", false));
        f.refused(start("batch", "server1"), ResultCode.RESULT_FAILED_PRECONDITION, "server1", "down");
        assertTrue(f.group("batch").adminStopped, "a refused start leaves the group stopped");
    }

    @Test
    void stopOfAnOwnedGroupAsksTheOwnerToRelease() {
        f.webOnlineOnServer1();
        CommandResult r = f.ok(stop("web"));
        assertEquals("stopping web on server1", r.getMessage());
        GroupState g = f.group("web");
        assertTrue(g.adminStopped);
        assertEquals(Phase.RELEASING, g.phase);
        assertEquals("server1", g.owner);
        assertNull(g.moveTarget);
        assertEquals("stop", lastEvent().getKind());
        assertEquals("server1", lastEvent().getNode());
    }

    @Test
    void stopCancelsAMoveUnderWay() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.move("web", "server2"));
        f.ok(stop("web"));
        assertNull(f.group("web").moveTarget);
        f.beat("server1", CoreFixture.released("web", 1));
        assertNull(f.group("web").owner);
        assertEquals(Phase.OFFLINE, f.group("web").phase);
    }

    @Test
    void stopOfAnUnownedGroupIsImmediate() {
        f.allAlive();
        CommandResult r = f.ok(stop("web"));
        assertEquals("web stopped", r.getMessage());
        assertTrue(f.group("web").adminStopped);
        assertEquals(Phase.OFFLINE, f.group("web").phase);
        assertEquals("", lastEvent().getNode());
    }

    @Test
    void stopOfAFailedGroupLeavesItOfflineAndStopped() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_FAILED));
        f.ok(stop("web"));
        assertEquals(Phase.OFFLINE, f.group("web").phase);
        assertTrue(f.group("web").adminStopped);
    }

    @Test
    void stopOfAStoppedGroupChangesNothing() {
        ClusterStateProto before = StateCodec.toProto(f.state);
        CommandResult r = f.ok(stop("batch"));
        assertEquals("batch is already stopped", r.getMessage());
        assertEquals(before, StateCodec.toProto(f.state));
    }

    @Test
    void stopOfUnknownGroupIsNotFound() {
        f.refused(stop("nope"), ResultCode.RESULT_NOT_FOUND, "nope");
    }
}

package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.heartbeat;
import static io.baton.coordinator.core.CoreFixture.released;
import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import io.baton.proto.GroupReport;
import io.baton.proto.HeldGrant;
import io.baton.proto.PhaseProto;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Heartbeats: liveness, held grants, and the transitions an owner reports. */
class CoreHeartbeatTest {
    private final CoreFixture f = new CoreFixture();

    private Event lastEvent() {
        List<Event> events = f.state.events();
        return events.get(events.size() - 1);
    }

    @Test
    void firstHeartbeatMarksTheNodeAliveWithANodeUpEvent() {
        assertFalse(f.node("server1").alive);
        CommandResult r = f.ok(heartbeat("server1", 1, 1));
        assertTrue(f.node("server1").alive);
        assertEquals(0, r.getHeldCount());
        Event e = lastEvent();
        assertEquals("node-up", e.getKind());
        assertEquals("server1", e.getNode());
        assertEquals(f.lastIndex(), e.getLogIndex());
        assertEquals(f.nextWallMs() - 1, e.getWallTimeMs());
        assertEquals(f.nextWallMs() - 1, f.node("server1").lastHeartbeatWallMs);

        int before = f.state.events().size();
        f.ok(heartbeat("server1", 1, 2));
        assertEquals(before, f.state.events().size(), "an alive node's heartbeat records no event");
    }

    @Test
    void aHeartbeatRecordsWhenTheNodesCertificatesExpireAndASnapshotKeepsIt() {
        f.ok(io.baton.proto.Command.newBuilder().setSetProtocol(io.baton.proto.SetProtocolVersion.newBuilder().setVersion(2)).build());
        f.ok(heartbeat("server1", 1, 1).toBuilder().setHeartbeat(heartbeat("server1", 1, 1).getHeartbeat().toBuilder()
                .setCertificateNotAfterMs(1_800_000_000_000L).setCaNotAfterMs(2_000_000_000_000L)
                .setConfigHash("ab12")).build());
        assertEquals(1_800_000_000_000L, f.node("server1").certificateNotAfterMs());
        assertEquals("ab12", f.node("server1").configHash());
        assertEquals(2_000_000_000_000L, f.node("server1").caNotAfterMs());
        ClusterState back = StateCodec.fromProto(StateCodec.toProto(f.state), CoreFixture.TOPOLOGY);
        assertEquals(1_800_000_000_000L, back.node("server1").orElseThrow().certificateNotAfterMs());
        assertEquals(2_000_000_000_000L, back.node("server1").orElseThrow().caNotAfterMs());
        assertEquals("ab12", back.node("server1").orElseThrow().configHash());
    }

    @Test
    void heartbeatOfUnknownNodeIsRefused() {
        f.refused(heartbeat("ghost", 1, 1), ResultCode.RESULT_NOT_FOUND, "ghost", "server1");
    }

    @Test
    void heartbeatResultListsTheGrantsTheSenderHolds() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.ok(CoreFixture.grant("db", "server1", 0));
        CommandResult r = f.beat("server1");
        assertEquals(List.of(held("web", 1, PhaseProto.PHASE_STARTING), held("db", 1, PhaseProto.PHASE_STARTING)),
                r.getHeldList());
        assertEquals(List.of(), f.beat("server2").getHeldList());
        assertEquals(List.of(), f.beat("witness").getHeldList());
    }

    @Test
    void staleHeartbeatChangesOnlyLiveness() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.ok(heartbeat("server1", 2, 5));
        GroupReport active = report("web", 1, ActivityProto.ACTIVITY_ACTIVE);

        f.ok(CoreFixture.liveness("server1", false));
        CommandResult same = f.ok(heartbeat("server1", 2, 5, active));
        assertEquals(Phase.STARTING, f.group("web").phase, "same (incarnation, seq): reports ignored");
        assertTrue(f.node("server1").alive, "but liveness is restored");
        assertEquals(List.of(held("web", 1, PhaseProto.PHASE_STARTING)), same.getHeldList());
        assertFalse(f.group("web").reports.containsKey("server1"));

        f.ok(heartbeat("server1", 2, 4, active));
        f.ok(heartbeat("server1", 1, 99, active));
        assertEquals(Phase.STARTING, f.group("web").phase, "older (incarnation, seq): reports ignored");
        assertEquals(2, f.node("server1").incarnation);
        assertEquals(5, f.node("server1").seq);

        f.ok(heartbeat("server1", 3, 1, active));
        assertEquals(Phase.ONLINE, f.group("web").phase, "a new incarnation is newer whatever its seq");
        assertEquals(3, f.node("server1").incarnation);
        assertEquals(1, f.node("server1").seq);
    }

    @Test
    void activeReportOfTheOwnerAtTheCurrentEpochMakesTheGroupOnline() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_STARTING));
        assertEquals(Phase.STARTING, f.group("web").phase);
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE));
        assertEquals(Phase.ONLINE, f.group("web").phase);
        assertEquals("online", lastEvent().getKind());
        assertEquals(1, lastEvent().getEpoch());
        assertEquals(report("web", 1, ActivityProto.ACTIVITY_ACTIVE), f.group("web").reports.get("server1"));
    }

    @Test
    void onlineOwnerReportingNotAllActiveGoesBackToStarting() {
        f.webOnlineOnServer1();
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_INACTIVE));
        assertEquals(Phase.STARTING, f.group("web").phase);
        assertEquals("server1", f.group("web").owner);
        assertEquals("restarting", lastEvent().getKind());
    }

    @Test
    void failedReportClearsTheOwnerAndRecordsWhere() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_FAILED).toBuilder().setMessage("disk gone").build());
        GroupState g = f.group("web");
        assertEquals(Phase.FAILED, g.phase);
        assertNull(g.owner);
        assertEquals(1, g.epoch, "a failure does not grant: the epoch stays");
        assertEquals(List.of("server1"), List.copyOf(g.failedOn()));
        assertEquals("failed", lastEvent().getKind());
        assertEquals("disk gone", lastEvent().getMessage());
    }

    @Test
    void failedReportOfAnOnlineOwnerAlsoFails() {
        f.webOnlineOnServer1();
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_FAILED));
        assertEquals(Phase.FAILED, f.group("web").phase);
        assertEquals("activation failed", lastEvent().getMessage(), "a default reason when none is given");
    }

    @Test
    void reportOfANonOwnerIsStoredButChangesNoPhase() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.beat("server2", report("web", 1, ActivityProto.ACTIVITY_ACTIVE));
        f.beat("server2", report("web", 1, ActivityProto.ACTIVITY_FAILED));
        assertEquals(Phase.STARTING, f.group("web").phase);
        assertEquals("server1", f.group("web").owner);
        assertTrue(f.group("web").failedOn().isEmpty());
        assertEquals(ActivityProto.ACTIVITY_FAILED, f.group("web").reports.get("server2").getActivity());
    }

    @Test
    void reportOfAnOldEpochIsIgnored() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.ok(f.decidedRevoke("web"));
        f.ok(CoreFixture.grant("web", "server1", 1));
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE));
        assertEquals(Phase.STARTING, f.group("web").phase);
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_FAILED));
        assertEquals(Phase.STARTING, f.group("web").phase);
        assertEquals("server1", f.group("web").owner);
    }

    @Test
    void reportsOfNonMembersAndUnknownGroupsAreDropped() {
        f.allAlive();
        f.beat("witness", report("web", 0, ActivityProto.ACTIVITY_ACTIVE), report("nope", 0, ActivityProto.ACTIVITY_ACTIVE));
        f.beat("server2", report("batch", 0, ActivityProto.ACTIVITY_ACTIVE));
        assertTrue(f.group("web").reports.isEmpty());
        assertTrue(f.group("batch").reports.isEmpty());
    }

    @Test
    void releasedOwnerHandsTheGroupToTheMoveTargetWithTheNextEpoch() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.move("web", "server2"));
        f.beat("server1", released("web", 1));
        GroupState g = f.group("web");
        assertEquals("server2", g.owner);
        assertEquals(2, g.epoch);
        assertEquals(Phase.STARTING, g.phase);
        assertNull(g.moveTarget);
        List<Event> events = f.state.events();
        Event rel = events.get(events.size() - 2);
        assertEquals("released", rel.getKind());
        assertEquals("server1", rel.getNode());
        assertEquals(1, rel.getEpoch());
        Event granted = events.get(events.size() - 1);
        assertEquals("granted", granted.getKind());
        assertEquals("server2", granted.getNode());
        assertEquals(2, granted.getEpoch());
        assertEquals("moved from server1", granted.getMessage());
    }

    @Test
    void releasedOwnerAfterAStopLeavesTheGroupOffline() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.stop("web"));
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_STOPPING));
        assertEquals(Phase.RELEASING, f.group("web").phase, "stopping is not released");
        f.beat("server1", released("web", 1));
        GroupState g = f.group("web");
        assertNull(g.owner);
        assertEquals(Phase.OFFLINE, g.phase);
        assertEquals(1, g.epoch);
        assertTrue(g.adminStopped);
    }

    @Test
    void releasedFlagCountsOnlyWhileReleasingAndAtTheCurrentEpoch() {
        f.webOnlineOnServer1();
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE).toBuilder().setReleased(true).build());
        assertEquals(Phase.ONLINE, f.group("web").phase);
        assertEquals("server1", f.group("web").owner);

        f.ok(CoreFixture.move("web", "server2"));
        f.beat("server1", released("web", 0));
        assertEquals(Phase.RELEASING, f.group("web").phase, "released at another epoch does not count");
        f.beat("server2", released("web", 1));
        assertEquals(Phase.RELEASING, f.group("web").phase, "only the owner releases");
    }

    private static HeldGrant held(String group, long epoch, PhaseProto phase) {
        return HeldGrant.newBuilder().setGroup(group).setEpoch(epoch).setPhase(phase).build();
    }
}

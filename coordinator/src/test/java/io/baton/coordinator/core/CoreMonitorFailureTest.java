package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.monitorFailed;
import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.Event;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An owner that stopped a group because a monitor failed: a failover, or a hold, per the group's policy. */
class CoreMonitorFailureTest {
    private final CoreFixture f = PolicyFixture.allAlive();

    /** {@code group} online on {@code node}, then its monitor fails there. */
    private void failsOn(String group, String node, String why) {
        PolicyFixture.online(f, group, node);
        f.beat(node, monitorFailed(group, f.group(group).epoch, why));
    }

    @Test
    void aMonitorFailureOfTheOwnerIsAFailoverThatRecordsTheNodeAndWhen() {
        PolicyFixture.online(f, "app", "a");
        long at = f.nextWallMs();
        f.beat("a", monitorFailed("app", 1, "app: connection refused"));
        GroupState g = f.group("app");
        assertNull(g.owner);
        assertEquals(Phase.FAILED, g.phase);
        assertEquals(1, g.epoch, "a failure grants nothing: the controller picks the next member");
        assertFalse(g.held());
        assertEquals(List.of(new Failure("a", at, "app: connection refused")), g.failures());
        assertEquals(List.of("a"), List.copyOf(g.failedOn()));
        assertEquals(List.of(at), g.failoverWallMs());
        Event e = f.lastEvent();
        assertEquals("failover", e.getKind());
        assertEquals("a", e.getNode());
        assertEquals(1, e.getEpoch());
        assertEquals("app: connection refused", e.getMessage());
    }

    @Test
    void aMonitorFailureWhileStartingAlsoFailsOver() {
        f.ok(f.decidedGrant("app", "a"));
        f.beat("a", monitorFailed("app", 1, "app: no answer"));
        assertEquals(Phase.FAILED, f.group("app").phase);
        assertEquals("failover", f.lastEvent().getKind());
    }

    @Test
    void aFailedActivationRecordsItsTimeButCountsNoFailover() {
        f.ok(f.decidedGrant("app", "a"));
        long at = f.nextWallMs();
        f.beat("a", report("app", 1, ActivityProto.ACTIVITY_FAILED).toBuilder().setMessage("mount failed").build());
        assertEquals(List.of(new Failure("a", at, "mount failed")), f.group("app").failures());
        assertEquals(List.of(), f.group("app").failoverWallMs());
        assertEquals("failed", f.lastEvent().getKind());
        assertFalse(f.group("app").held());
    }

    @Test
    void onFailureStopHoldsTheGroupFailedWithTheReason() {
        failsOn("halt", "a", "app: connection refused");
        GroupState g = f.group("halt");
        assertEquals(Phase.FAILED, g.phase);
        assertNull(g.owner);
        assertTrue(g.held());
        assertEquals("on_failure stop: app: connection refused", g.holdReason());
        assertEquals(List.of(), g.failoverWallMs(), "a hold is not a failover");
        assertEquals(List.of("a"), List.copyOf(g.failedOn()));
        assertEquals("failed", f.lastEvent().getKind());
        assertEquals("on_failure stop: app: connection refused", f.lastEvent().getMessage());
    }

    @Test
    void theFailoverLimitHoldsTheGroupOnceMaxFailoversHappenedWithinTheWindow() {
        failsOn("app", "a", "app: one");
        failsOn("app", "b", "app: two");
        failsOn("app", "c", "app: three");
        assertEquals(3, f.group("app").failoverWallMs().size());
        assertFalse(f.group("app").held(), "three failovers are allowed");

        failsOn("app", "a", "app: connection refused");
        GroupState g = f.group("app");
        assertTrue(g.held());
        assertEquals(Phase.FAILED, g.phase);
        assertEquals("failover limit reached: 3 failovers within 1h; app: connection refused", g.holdReason());
        assertEquals("failed", f.lastEvent().getKind());
        assertEquals(g.holdReason(), f.lastEvent().getMessage());
    }

    @Test
    void failoversOlderThanTheWindowStopCounting() {
        failsOn("app", "a", "one");
        failsOn("app", "b", "two");
        failsOn("app", "c", "three");
        f.advanceWallMs(GroupPolicy.HOUR_MS);
        f.beat("w");
        assertEquals(List.of(), f.group("app").failoverWallMs(), "pruned by the first command an hour later");
        failsOn("app", "a", "four");
        assertFalse(f.group("app").held());
        assertEquals("failover", f.lastEvent().getKind());
    }

    @Test
    void aMonitorFailureReportedByANonOwnerOrForAnOldEpochChangesNoPhase() {
        PolicyFixture.online(f, "app", "a");
        f.beat("b", monitorFailed("app", 1, "not mine"));
        f.beat("a", monitorFailed("app", 0, "old"));
        GroupState g = f.group("app");
        assertEquals(Phase.ONLINE, g.phase);
        assertEquals("a", g.owner);
        assertEquals(List.of(), g.failures());
        assertEquals(List.of(), g.failoverWallMs());
    }

    @Test
    void aHeldGroupIsGrantedToNobodyByTheController() {
        failsOn("halt", "a", "down");
        f.refused(f.decidedGrant("halt", "b"), ResultCode.RESULT_STALE, "halt", "held", "on_failure stop: down");
    }

    @Test
    void anOperatorStartEndsTheHoldAndForgetsTheFailureHistory() {
        failsOn("app", "a", "one");
        failsOn("app", "b", "two");
        failsOn("app", "c", "three");
        failsOn("app", "a", "four");
        assertTrue(f.group("app").held());
        f.ok(CoreFixture.start("app", ""));
        GroupState g = f.group("app");
        assertFalse(g.held());
        assertEquals(List.of(), g.failures());
        assertEquals(List.of(), g.failoverWallMs());
        assertEquals(Phase.OFFLINE, g.phase);
    }

    @Test
    void anOperatorMoveOfAHeldGroupGrantsItAndEndsTheHold() {
        failsOn("halt", "a", "down");
        f.ok(CoreFixture.move("halt", "b"));
        GroupState g = f.group("halt");
        assertFalse(g.held());
        assertEquals("b", g.owner);
        assertEquals(Phase.STARTING, g.phase);
        assertEquals(List.of("a"), List.copyOf(g.failedOn()), "a's failure stays until it expires or is cleared");
    }

    @Test
    void onFailureKeepStillFailsOverAnOwnerThatStoppedTheGroup() {
        GroupPolicy keep = new GroupPolicy(GroupPolicy.OnFailure.KEEP, 3, GroupPolicy.HOUR_MS, 600_000,
                GroupPolicy.Failback.NEVER, 60_000);
        Topology t = new Topology(PolicyFixture.TOPOLOGY.nodes(),
                List.of(new Topology.GroupSpec("k", List.of("a", "b"), true, false, keep)));
        CoreFixture k = new CoreFixture(t);
        k.allAlive();
        PolicyFixture.online(k, "k", "a");
        k.beat("a", monitorFailed("k", 1, "app: gone"));
        assertEquals("failover", k.lastEvent().getKind());
        assertFalse(k.group("k").held());
    }
}

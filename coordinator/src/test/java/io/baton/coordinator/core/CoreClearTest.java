package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.clear;
import static io.baton.coordinator.core.CoreFixture.monitorFailed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An operator's clear: forgets failures, ends a hold, and lets a failed group start again. */
class CoreClearTest {
    private final CoreFixture f = PolicyFixture.allAlive();

    private void failsOn(String group, String node) {
        PolicyFixture.online(f, group, node);
        f.beat(node, monitorFailed(group, f.group(group).epoch, "app: refused"));
    }

    @Test
    void clearingEveryNodeMakesAFailedGroupStartAgain() {
        failsOn("app", "a");
        failsOn("app", "b");
        failsOn("app", "c");
        assertEquals("cleared the failures of app; it will start on the first eligible node",
                f.ok(clear("app", "")).getMessage());
        GroupState g = f.group("app");
        assertEquals(Phase.OFFLINE, g.phase);
        assertEquals(List.of(), g.failures());
        assertEquals(List.of(), g.failoverWallMs(), "the failover count starts again");
        assertEquals("cleared", f.lastEvent().getKind());
        assertEquals("", f.lastEvent().getNode());
        assertEquals("operator clears the failures of app; it will start on the first eligible node",
                f.lastEvent().getMessage());
    }

    @Test
    void clearingOneNodeForgetsOnlyItsRecordAndEndsTheHold() {
        failsOn("halt", "a");
        f.ok(CoreFixture.move("halt", "b"));
        f.beat("b", CoreFixture.report("halt", 2, io.baton.proto.ActivityProto.ACTIVITY_ACTIVE));
        f.beat("b", monitorFailed("halt", 2, "app: refused"));
        assertTrue(f.group("halt").held());
        assertEquals(List.of("a", "b"), List.copyOf(f.group("halt").failedOn()));
        f.ok(clear("halt", "b"));
        GroupState g = f.group("halt");
        assertFalse(g.held());
        assertEquals(List.of("a"), List.copyOf(g.failedOn()));
        assertEquals(Phase.OFFLINE, g.phase);
        assertEquals("b", f.lastEvent().getNode());
    }

    @Test
    void clearDoesNotStartAStoppedGroup() {
        failsOn("app", "a");
        f.ok(CoreFixture.stop("app"));
        assertEquals("cleared the failures of app on a", f.ok(clear("app", "a")).getMessage());
        assertTrue(f.group("app").adminStopped());
    }

    @Test
    void clearOfAFailedGroupWithoutRecordsStillLetsItStart() {
        failsOn("app", "a");
        f.advanceWallMs(GroupPolicy.HOUR_MS);
        f.beat("b");
        assertEquals(List.of(), f.group("app").failures());
        assertEquals(Phase.FAILED, f.group("app").phase);
        f.ok(clear("app", ""));
        assertEquals(Phase.OFFLINE, f.group("app").phase);
    }

    @Test
    void clearWithNothingToClearRecordsNothing() {
        PolicyFixture.online(f, "app", "a");
        int before = f.state.events().size();
        assertEquals("nothing to clear: no failure of app on b is recorded", f.ok(clear("app", "b")).getMessage());
        assertEquals(before, f.state.events().size());
    }

    @Test
    void clearOfAnOnlineGroupForgetsOtherNodesFailuresAndKeepsItRunning() {
        failsOn("app", "a");
        PolicyFixture.online(f, "app", "b");
        f.ok(clear("app", "a"));
        assertEquals(Phase.ONLINE, f.group("app").phase);
        assertEquals("b", f.group("app").owner);
        assertEquals(List.of(), f.group("app").failures());
    }

    @Test
    void clearOfAnUnknownGroupOrNodeOrANonMemberIsRefused() {
        failsOn("app", "a");
        f.refused(clear("nope", ""), ResultCode.RESULT_NOT_FOUND, "unknown group 'nope'");
        f.refused(clear("app", "nope"), ResultCode.RESULT_NOT_FOUND, "unknown node 'nope'");
        f.refused(clear("halt", "c"), ResultCode.RESULT_INVALID_ARGUMENT, "'c' is not a member of group 'halt'");
    }
}

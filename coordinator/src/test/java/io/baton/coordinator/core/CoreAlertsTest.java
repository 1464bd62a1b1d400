package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreAuthorityTest.as;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.proto.AlertsDelivered;
import io.baton.proto.Command;
import io.baton.proto.ResultCode;
import org.junit.jupiter.api.Test;

/** The alert cursor: forward only, never past the last event, the leader's alone, and no event of its own. */
class CoreAlertsTest {
    private final CoreFixture f = new CoreFixture(CoreFixture.TOPOLOGY, true);

    static Command delivered(long through) {
        return Command.newBuilder().setAlertsDelivered(AlertsDelivered.newBuilder().setThroughSeq(through)).build();
    }

    @Test
    void theCursorMovesForwardOnlyAndMakesNoEvent() {
        f.allAlive(); // events: node-up x3
        long last = f.state.nextEventSeq() - 1;
        f.ok(as(delivered(2), "witness", "witness"));
        assertEquals(2, f.state.alertsDeliveredSeq());
        assertEquals(last, f.state.nextEventSeq() - 1, "the cursor adds no event");
        f.refused(as(delivered(1), "witness", "witness"), ResultCode.RESULT_STALE, "already delivered through 2");
        f.refused(as(delivered(last + 1), "witness", "witness"), ResultCode.RESULT_INVALID_ARGUMENT, "past the last event");
        f.ok(as(delivered(last), "witness", "witness"));
        assertEquals(last, f.state.alertsDeliveredSeq());
    }

    @Test
    void onlyTheLeaderMovesIt() {
        f.allAlive();
        f.refused(as(delivered(1), "server1", "witness"), ResultCode.RESULT_PERMISSION_DENIED,
                "permission denied: the alert cursor is the leader's decision");
        assertEquals(0, f.state.alertsDeliveredSeq());
    }

    @Test
    void itSurvivesASnapshot() {
        f.allAlive();
        f.ok(as(delivered(3), "witness", "witness"));
        ClusterState back = StateCodec.fromProto(StateCodec.toProto(f.state), CoreFixture.TOPOLOGY);
        assertEquals(3, back.alertsDeliveredSeq());
    }
}

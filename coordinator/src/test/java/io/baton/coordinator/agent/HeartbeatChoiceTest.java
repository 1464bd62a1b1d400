package io.baton.coordinator.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import io.baton.proto.ResourceReport;
import org.junit.jupiter.api.Test;

class HeartbeatChoiceTest {
    static final long REFRESH = 30_000_000_000L;

    private static Heartbeat beat(long seq, String state, String detail) {
        return Heartbeat.newBuilder().setNode("server1").setIncarnation(3).setSeq(seq).setAppliedIndex(seq * 7)
                .addReports(GroupReport.newBuilder().setGroup("web").setEpoch(2).setActivity(ActivityProto.ACTIVITY_ACTIVE)
                        .addResources(ResourceReport.newBuilder().setName("probe").setState(state).setDetail(detail)))
                .build();
    }

    @Test
    void theSameReportsAgainAreARead() {
        assertTrue(HeartbeatChoice.read(beat(1, "active", "3 probes"), beat(2, "active", "3 probes"), 10 * REFRESH, REFRESH));
    }

    @Test
    void nothingCommittedYetOrAnythingNewIsAWrite() {
        assertFalse(HeartbeatChoice.read(null, beat(2, "active", "3 probes"), 0, REFRESH));
        assertFalse(HeartbeatChoice.read(beat(1, "active", "3 probes"), beat(2, "failed", "3 probes"), 0, REFRESH));
        assertFalse(HeartbeatChoice.read(beat(1, "active", "3 probes"), beat(2, "active", "3 probes").toBuilder()
                .setIncarnation(4).build(), 0, REFRESH));
        assertFalse(HeartbeatChoice.read(beat(1, "active", "3 probes"), beat(2, "active", "3 probes").toBuilder()
                .setCertificateNotAfterMs(9).build(), 0, REFRESH));
        assertFalse(HeartbeatChoice.read(beat(1, "active", "3 probes"), beat(2, "active", "3 probes").toBuilder()
                .setConfigHash("beef").build(), 0, REFRESH), "another cluster file loaded");
    }

    @Test
    void aNewDetailAloneIsCommittedOncePerRefresh() {
        assertTrue(HeartbeatChoice.read(beat(1, "active", "3 probes"), beat(2, "active", "5 probes"), REFRESH - 1, REFRESH));
        assertFalse(HeartbeatChoice.read(beat(1, "active", "3 probes"), beat(2, "active", "5 probes"), REFRESH, REFRESH));
    }
}

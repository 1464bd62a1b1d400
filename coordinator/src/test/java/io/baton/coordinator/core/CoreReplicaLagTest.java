package io.baton.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.Command;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node whose own replica stays behind the log is granted nothing until it catches up (ReplicaLag). */
class CoreReplicaLagTest {
    private final CoreFixture f = PolicyFixture.allAlive();
    private long seq = 1000;

    /** A heartbeat of {@code node} that says it had applied {@code applied}. */
    private Command beat(String node, long applied) {
        Command hb = CoreFixture.heartbeat(node, 1, ++seq);
        return hb.toBuilder().setHeartbeat(hb.getHeartbeat().toBuilder().setAppliedIndex(applied)).build();
    }

    /** Puts the log well past index 1, as other nodes' heartbeats do. */
    private void fillLog(int entries) {
        for (int i = 0; i < entries; i++) {
            f.beat("c");
        }
    }

    private void frozenAtIndexOne(String node, int heartbeats) {
        for (int i = 0; i < heartbeats; i++) {
            f.ok(beat(node, 1));
            fillLog(5);
        }
    }

    @Test
    void fourHeartbeatsFarBehindMakeANodeBehindWithAnEvent() {
        fillLog(60);
        int before = f.state.events().size();
        frozenAtIndexOne("a", 3);
        assertFalse(f.node("a").replicaBehind());
        frozenAtIndexOne("a", 1);
        assertTrue(f.node("a").replicaBehind());
        assertEquals(List.of("replica-behind"), f.kindsSince(before));
        assertEquals("a", f.lastEvent().getNode());
        assertTrue(f.node("a").replicaLag() > ReplicaLag.BEHIND_ENTRIES);
    }

    @Test
    void aBehindNodeIsRefusedAGrantAStartOnItAndAMoveToIt() {
        fillLog(60);
        frozenAtIndexOne("a", 4);
        f.refused(f.decidedGrant("app", "a"), ResultCode.RESULT_STALE, "node 'a' has a replica", "entries behind the log");
        f.refused(CoreFixture.start("app", "a"), ResultCode.RESULT_FAILED_PRECONDITION, "node 'a' has a replica");
        PolicyFixture.online(f, "app", "b");
        f.refused(CoreFixture.move("app", "a"), ResultCode.RESULT_FAILED_PRECONDITION, "node 'a' has a replica");
    }

    @Test
    void oneHeartbeatThatKeepsUpEndsItWithAnEvent() {
        fillLog(60);
        frozenAtIndexOne("a", 4);
        int before = f.state.events().size();
        f.ok(beat("a", f.index()));
        assertFalse(f.node("a").replicaBehind());
        assertEquals(List.of("replica-caught-up"), f.kindsSince(before));
        f.ok(f.decidedGrant("app", "a"));
    }

    @Test
    void itSurvivesASnapshot() {
        fillLog(60);
        frozenAtIndexOne("a", 4);
        ClusterState back = StateCodec.fromProto(StateCodec.toProto(f.state), f.core.topology());
        assertTrue(back.node("a").orElseThrow().replicaBehind());
    }
}

package io.baton.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.proto.Command;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A leader under which a follower's replica stays behind gives its leadership up (fresh appenders): to
 * the witness, the only peer Ratis hands a leadership to (the highest priority), or by stepping down.
 */
class ControllerRepairTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private final Controller controller = new Controller(PolicyFixture.TOPOLOGY, ControllerTest.TIMING);
    private final CoreFixture f = PolicyFixture.allAlive();
    private long seq = 1000;

    private void behind(String node) {
        for (int i = 0; i < 60; i++) {
            f.beat("c");
        }
        for (int i = 0; i < ReplicaLag.HEARTBEATS_IN_A_ROW; i++) {
            Command hb = CoreFixture.heartbeat(node, 1, ++seq);
            f.ok(hb.toBuilder().setHeartbeat(hb.getHeartbeat().toBuilder().setAppliedIndex(1)).build());
        }
    }

    private static final Optional<Controller.Repair> TO_THE_WITNESS = Optional.of(Controller.Repair.handTo("w"));
    private static final Optional<Controller.Repair> STEP_DOWN = Optional.of(Controller.Repair.stepDown());

    /** Leader "c" since time 0, every node heard at {@code now}. */
    private Optional<Controller.Repair> repair(long lastRepair, long now) {
        return repair("c", lastRepair, now);
    }

    private Optional<Controller.Repair> repair(String leader, long lastRepair, long now) {
        Liveness heard = new Liveness(0, Map.of("a", now, "b", now, "c", now, "w", now));
        return controller.replicationToRepair(f.state, leader, heard, lastRepair, now);
    }

    @Test
    void aBehindFollowerMakesTheLeaderHandOverToTheWitness() {
        behind("a");
        assertEquals(TO_THE_WITNESS, repair(Long.MIN_VALUE / 2, 31 * S));
    }

    @Test
    void notBeforeTheLeaderHasLedThirtySecondsNorTwiceWithinThirty() {
        behind("a");
        assertEquals(Optional.empty(), repair(Long.MIN_VALUE / 2, 29 * S), "a restarted follower may still be catching up");
        assertEquals(Optional.empty(), repair(20 * S, 49 * S));
        assertEquals(TO_THE_WITNESS, repair(20 * S, 50 * S));
    }

    @Test
    void nothingWhenNoFollowerIsBehind() {
        assertEquals(Optional.empty(), repair(Long.MIN_VALUE / 2, 60 * S));
    }

    /**
     * The witness leads (as it usually does) and a data node stays behind: Ratis would refuse to hand
     * the leadership to a data node (not the highest priority; it did, and the repair never happened),
     * so the witness steps down and is elected again with new appenders.
     */
    @Test
    void aWitnessLeaderStepsDown() {
        behind("a");
        assertEquals(STEP_DOWN, repair("w", Long.MIN_VALUE / 2, 31 * S));
    }

    /** Never to a witness not heard lately, nor to one that is behind: the leader steps down instead. */
    @Test
    void anUnheardOrBehindWitnessIsNotHandedTheLeadership() {
        behind("a");
        Liveness witnessUnheard = new Liveness(0, Map.of("a", 60 * S, "b", 60 * S, "c", 60 * S, "w", 1 * S));
        assertEquals(STEP_DOWN, controller.replicationToRepair(f.state, "c", witnessUnheard, Long.MIN_VALUE / 2, 60 * S),
                "w not heard lately");
        behind("w");
        assertEquals(STEP_DOWN, repair(Long.MIN_VALUE / 2, 60 * S), "w is behind");
    }

    @Test
    void theLeadersOwnLagIsNotAFollowersLag() {
        behind("c");
        assertEquals(Optional.empty(), repair(Long.MIN_VALUE / 2, 60 * S));
    }
}

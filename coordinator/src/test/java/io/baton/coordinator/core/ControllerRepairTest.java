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
        return controller.replicationToRepair(f.state, leader, heardAt(now), longBehind(), lastRepair, now);
    }

    /** Every node the state holds behind, seen so since time 0. */
    private BehindFollowers longBehind() {
        return BehindFollowers.NONE.seen(f.state, 0);
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

    /**
     * A follower must stay behind for 30 s under this leader: a lag in a burst of entries (seen in a
     * scale run: 64 entries behind, caught up 0.3 s later) is no reason for an election.
     */
    @Test
    void onlyAFollowerBehindForThirtySeconds() {
        behind("a");
        BehindFollowers justNow = BehindFollowers.NONE.seen(f.state, 80 * S);
        assertEquals(Optional.empty(), controller.replicationToRepair(f.state, "c", heardAt(100 * S), justNow,
                Long.MIN_VALUE / 2, 100 * S), "behind for 20 s");
        assertEquals(TO_THE_WITNESS, controller.replicationToRepair(f.state, "c", heardAt(110 * S), justNow,
                Long.MIN_VALUE / 2, 110 * S), "behind for 30 s");
        assertEquals(Optional.empty(), controller.replicationToRepair(f.state, "c", heardAt(110 * S), BehindFollowers.NONE,
                Long.MIN_VALUE / 2, 110 * S), "not seen behind by this leader");
    }

    /** Leader since time 0, every node heard at {@code now}. */
    private static Liveness heardAt(long now) {
        return new Liveness(0, Map.of("a", now, "b", now, "c", now, "w", now));
    }

    /**
     * A follower that went down while behind keeps that lag in the state until it heartbeats again: no
     * election for it, once every 30 s for as long as it is down.
     */
    @Test
    void notForAFollowerThatIsDownOrUnheard() {
        behind("a");
        Liveness aUnheard = new Liveness(0, Map.of("a", 1 * S, "b", 60 * S, "c", 60 * S, "w", 60 * S));
        assertEquals(Optional.empty(), controller.replicationToRepair(f.state, "c", aUnheard, longBehind(), Long.MIN_VALUE / 2,
                60 * S), "a not heard lately");
        f.ok(CoreFixture.liveness("a", false));
        assertEquals(Optional.empty(), repair(Long.MIN_VALUE / 2, 60 * S), "a down in the state");
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
        assertEquals(STEP_DOWN, controller.replicationToRepair(f.state, "c", witnessUnheard, longBehind(), Long.MIN_VALUE / 2, 60 * S),
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

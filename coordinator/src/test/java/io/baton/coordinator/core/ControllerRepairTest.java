package io.baton.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.proto.Command;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A leader under which a follower's replica stays behind hands its leadership on (fresh appenders). */
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

    /** Leader "c" since time 0, every node heard at {@code now}. */
    private Optional<String> repair(long lastRepair, long now) {
        Liveness heard = new Liveness(0, Map.of("a", now, "b", now, "c", now, "w", now));
        return controller.replicationToRepair(f.state, "c", heard, lastRepair, now);
    }

    @Test
    void aBehindFollowerMakesTheLeaderHandOverToTheWitness() {
        behind("a");
        assertEquals(Optional.of("w"), repair(Long.MIN_VALUE / 2, 31 * S));
    }

    @Test
    void notBeforeTheLeaderHasLedThirtySecondsNorTwiceWithinThirty() {
        behind("a");
        assertEquals(Optional.empty(), repair(Long.MIN_VALUE / 2, 29 * S), "a restarted follower may still be catching up");
        assertEquals(Optional.empty(), repair(20 * S, 49 * S));
        assertEquals(Optional.of("w"), repair(20 * S, 50 * S));
    }

    @Test
    void nothingWhenNoFollowerIsBehind() {
        assertEquals(Optional.empty(), repair(Long.MIN_VALUE / 2, 60 * S));
    }

    @Test
    void neverToABehindNodeNorOneNotHeard() {
        behind("a");
        behind("w");
        Liveness heard = new Liveness(0, Map.of("a", 60 * S, "c", 60 * S, "w", 60 * S, "b", 1 * S));
        assertEquals(Optional.empty(), controller.replicationToRepair(f.state, "c", heard, Long.MIN_VALUE / 2, 60 * S),
                "a and w are behind, b not heard lately");
        assertEquals(Optional.of("b"), repair(Long.MIN_VALUE / 2, 60 * S));
    }

    @Test
    void theLeadersOwnLagIsNotAFollowersLag() {
        behind("c");
        assertEquals(Optional.empty(), repair(Long.MIN_VALUE / 2, 60 * S));
    }
}

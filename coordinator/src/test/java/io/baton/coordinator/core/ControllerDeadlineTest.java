package io.baton.coordinator.core;

import static io.baton.coordinator.core.ControllerTest.MS;
import static io.baton.coordinator.core.ControllerTest.T0;
import static io.baton.coordinator.core.ControllerTest.TIMING;
import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Controller#nextDecisionAt}: with the same inputs, nothing the leader decides changes before the
 * instant it names, so the leader may sleep until then. Checked on seeded random states and liveness
 * views (groups online here or there or stopped, a node down, a replica behind, nodes unheard, a leadership
 * in its first lease or near the repair wait, failback watches near failback_after), just before the
 * instant and at random moments before it.
 */
class ControllerDeadlineTest {
    private static final long S = 1_000 * MS;
    private static final List<String> NODES = List.of("a", "b", "c", "w");
    private final Controller controller = new Controller(PolicyFixture.TOPOLOGY, TIMING);

    /** Everything the leader decides at {@code now}: the commands, the leader to prefer and a repair. */
    private record Answer(List<Command> commands, Optional<String> prefer, Optional<Controller.Repair> repair) {}

    private Answer answer(CoreFixture f, Liveness liveness, FailbackWatch watch, long now) {
        return new Answer(controller.decide(f.state, liveness, watch, now).commands(),
                controller.leaderToPrefer(f.state, "a", liveness, now),
                controller.replicationToRepair(f.state, "a", liveness, BehindFollowers.NONE.seen(f.state, Long.MIN_VALUE / 2),
                        Long.MIN_VALUE / 2, now));
    }

    private static CoreFixture randomState(Random r) {
        CoreFixture f = PolicyFixture.allAlive();
        for (String group : List.of("app", "halt", "back")) {
            int pick = r.nextInt(4);
            if (pick == 3) {
                f.ok(CoreFixture.stop(group));
            } else if (pick > 0) {
                List<String> members = PolicyFixture.TOPOLOGY.group(group).orElseThrow().members();
                String owner = members.get(r.nextInt(members.size()));
                f.ok(f.decidedGrant(group, owner));
                if (r.nextBoolean()) {
                    f.beat(owner, report(group, f.group(group).epoch, ActivityProto.ACTIVITY_ACTIVE));
                }
            }
        }
        if (r.nextInt(4) == 0) {
            f.ok(CoreFixture.liveness(NODES.get(r.nextInt(NODES.size())), false));
        }
        if (r.nextInt(3) == 0) {
            behind(f, NODES.get(r.nextInt(3)));
        }
        return f;
    }

    /** {@code node}'s replica stays behind (ReplicaLag), so that a leader would repair its replication. */
    private static void behind(CoreFixture f, String node) {
        for (int i = 0; i < 60; i++) {
            f.beat("w");
        }
        for (int i = 0; i < ReplicaLag.HEARTBEATS_IN_A_ROW; i++) {
            Command hb = CoreFixture.heartbeat(node, 1, 1_000 + i);
            f.ok(hb.toBuilder().setHeartbeat(hb.getHeartbeat().toBuilder().setAppliedIndex(1)).build());
        }
    }

    private static Liveness randomLiveness(Random r) {
        Map<String, Long> heard = new HashMap<>();
        for (String n : NODES) {
            if (r.nextInt(7) != 0) {
                heard.put(n, T0 - (long) (r.nextDouble() * 5 * S));
            }
        }
        // A leadership in its first lease, or about as old as the wait before a repair (30 s).
        long led = r.nextBoolean() ? (long) (r.nextDouble() * 5 * S) : 25 * S + (long) (r.nextDouble() * 10 * S);
        return new Liveness(T0 - led, heard);
    }

    @Test
    void nothingChangesBeforeTheNextDecisionInstant() {
        int instants = 0;
        for (long seed = 0; seed < 1_000; seed++) {
            Random r = new Random(seed);
            CoreFixture f = randomState(r);
            Liveness liveness = randomLiveness(r);
            // A failback memory as an earlier decision left it, about failback_after (60 s) ago.
            FailbackWatch watch = controller.decide(f.state, liveness, FailbackWatch.NONE,
                    T0 - 55 * S - (long) (r.nextDouble() * 10 * S)).failback();
            // From one instant to the next, for 70 s, with no input changing: every instant ahead is
            // reached in turn, not only the nearest.
            long t = T0;
            while (t < T0 + 70 * S) {
                watch = controller.decide(f.state, liveness, watch, t).failback();
                Answer expected = answer(f, liveness, watch, t);
                long next = controller.nextDecisionAt(f.state, liveness, watch, t);
                assertTrue(next > t, "seed " + seed + ": the next decision instant lies ahead");
                long until = next == Long.MAX_VALUE ? T0 + 200 * S : next;
                for (long probe : List.of(until - 1, t + 1 + (long) (r.nextDouble() * (until - t - 1)))) {
                    final long seedFinal = seed;
                    final long from = t;
                    assertEquals(expected, answer(f, liveness, watch, probe),
                            () -> "seed " + seedFinal + ": the answer at +" + (from - T0) + " ns changed at +" + (probe - T0)
                                    + " ns, before the next decision instant +" + (next - T0) + " ns");
                }
                if (next == Long.MAX_VALUE) {
                    break;
                }
                instants++;
                t = next;
            }
        }
        assertTrue(instants > 5_000, "the walks reached many instants: " + instants);
    }

    @Test
    void theInstantIsTheNearestLeaseOrEligibilityToExpire() {
        CoreFixture f = PolicyFixture.allAlive();
        long leaderSince = T0 - 60 * S;
        Liveness heard = new Liveness(leaderSince, Map.of("a", T0, "b", T0 - 900 * MS, "c", T0, "w", T0));
        // b was heard 0.9 s ago: in 1.1 s it is no longer eligible (eligible within 2 s).
        assertEquals(T0 - 900 * MS + TIMING.eligibleWithinNanos(),
                controller.nextDecisionAt(f.state, heard, FailbackWatch.NONE, T0));

        Liveness fresh = new Liveness(T0 - 100 * MS, Map.of());
        assertEquals(T0 - 100 * MS + TIMING.leaseNanos(), controller.nextDecisionAt(f.state, fresh, FailbackWatch.NONE, T0),
                "a leadership 0.1 s old, nobody heard yet: at the end of its first lease");
    }

    @Test
    void aConfirmationMattersOnlyAfterTheNodeWentUnheardForEligibleWithin() {
        long within = TIMING.eligibleWithinNanos();
        assertTrue(controller.confirmationMatters(OptionalLong.empty(), T0), "never heard before");
        assertFalse(controller.confirmationMatters(OptionalLong.of(T0 - within + 1), T0));
        assertTrue(controller.confirmationMatters(OptionalLong.of(T0 - within), T0));
    }
}

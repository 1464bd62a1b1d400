package io.baton.coordinator.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Deterministic simulation of a Baton cluster (see {@link Sim}). {@code -Dsim.seed=N} runs only seed N
 * and writes its whole trace to target/sim-trace-N.txt; {@code -Dsim.schedules=N} sets how many seeds
 * the main test runs (default 2000). The summary line goes to standard output (with surefire: target/surefire-reports/...SimulationTest-output.txt).
 */
class SimulationTest {
    static final int DEFAULT_SCHEDULES = 2000;

    @Test
    void randomSchedulesKeepEveryInvariant() {
        Long only = Long.getLong("sim.seed");
        long start = System.nanoTime(); // the test's own wall time, for the summary only
        List<SimResult> results = only != null
                ? List.of(Sim.run(SimConfig.standard(only).keepingTrace()))
                : LongStream.rangeClosed(1, Integer.getInteger("sim.schedules", DEFAULT_SCHEDULES)).parallel()
                        .mapToObj(seed -> Sim.run(SimConfig.standard(seed))).toList();
        Stats total = new Stats();
        results.forEach(r -> total.add(r.stats()));
        String summary = total.summary((System.nanoTime() - start) / 1_000_000);
        System.out.println(summary);
        Optional<SimResult> failed = results.stream().filter(r -> !r.ok()).min(Comparator.comparingLong(SimResult::seed));
        failed.ifPresent(r -> fail(r.failureMessage() + "\n" + results.stream().filter(x -> !x.ok()).count()
                + " of " + results.size() + " schedules failed:\n" + results.stream().filter(x -> !x.ok())
                        .map(x -> "  seed " + x.seed() + ": " + x.violation()).collect(Collectors.joining("\n"))
                + "\n" + summary));
        assertTrue(total.takeovers > 0 && total.fences > 0, "the faults should force takeovers and fences: " + summary);
        if (only == null) {
            assertTrue(total.replicaChanges > 0 && total.forceActivations > 0,
                    "operators should record replicas and force-activate Outdated ones: " + summary);
        }
    }

    @Test
    void aCalmClusterRunsEveryGroupWithoutFencesOrTakeovers() {
        for (long seed = 1; seed <= 5; seed++) {
            SimResult r = Sim.run(SimConfig.calm(seed));
            assertTrue(r.ok(), r::failureMessage);
            assertEquals(0, r.stats().fences, "seed " + seed);
            assertEquals(0, r.stats().takeovers, "seed " + seed);
            assertEquals(2, r.stats().activations, "seed " + seed + ": web and db, once each");
            assertEquals(0, r.stats().staleOwnerHeartbeat + r.stats().staleStopped, "seed " + seed);
        }
    }

    /**
     * L2: with only application crashes, each crash of an owner's application is followed by a
     * healthy application on the group's owner within the bound: a local restart first, then a
     * failover once the restarts are used up, until no member is left (the policy's answer).
     */
    @Test
    void everyApplicationCrashIsFollowedByAHealthyApplicationSomewhere() {
        Stats total = new Stats();
        for (long seed = 1; seed <= 60; seed++) {
            SimResult r = Sim.run(SimConfig.applications(seed));
            assertTrue(r.ok(), r::failureMessage);
            total.add(r.stats());
        }
        String summary = total.summary(0);
        System.out.println(summary);
        assertTrue(total.appCrashes > 50 && total.monitorRestarts > 0 && total.monitorFailovers > 0, summary);
    }

    @Test
    void aSeedReplaysExactly() {
        for (long seed : new long[] {7, 8, 9}) {
            SimResult a = Sim.run(SimConfig.standard(seed));
            SimResult b = Sim.run(SimConfig.standard(seed));
            assertEquals(a.traceLines(), b.traceLines());
            assertEquals(a.traceHash(), b.traceHash(), "seed " + seed + " must replay exactly");
            assertEquals(a.violation(), b.violation());
        }
        assertTrue(Sim.run(SimConfig.standard(1)).traceHash() != Sim.run(SimConfig.standard(4)).traceHash());
    }

    @Test
    void checkerCatchesAnAgentThatActivatesWithoutALease() {
        SimResult r = firstViolation(SimConfig.Mutation.NO_LEASE_CHECK, 20);
        assertTrue(r.violation().startsWith("S3"), r::failureMessage);
    }

    @Test
    void checkerCatchesAnAgentThatNeverFences() {
        SimResult r = firstViolation(SimConfig.Mutation.NO_FENCE, 100);
        assertTrue(r.violation().startsWith("S1"), r::failureMessage);
    }

    /**
     * Regression, takeover race (fixed in Core): a takeover Grant or a Revoke decided because the
     * owner's lease had run out, overtaken by a heartbeat of that owner that renewed its lease. Before
     * the fix such decisions were accepted (S1/S3 violations in about 2.5 % of seeds); now the core
     * refuses them as stale. Which seeds race shifts with any change of timing, so this looks for the
     * first seeds that do and checks they hold the invariants.
     */
    @Test
    void takeoverOvertakenByAnOwnerHeartbeatIsRefused() {
        List<SimResult> racing = racingSeeds(r -> r.stats().staleOwnerHeartbeat > 0);
        racing.forEach(r -> assertTrue(r.ok(), r::failureMessage));
    }

    /**
     * Regression, lost stop (fixed in Core): a controller Grant overtaken by an operator's Stop of the
     * group. Before the fix the Grant started the stopped group; now the core refuses it as stale.
     */
    @Test
    void grantOvertakenByAStopIsRefused() {
        List<SimResult> racing = racingSeeds(r -> r.stats().staleStopped > 0);
        racing.forEach(r -> assertTrue(r.ok(), r::failureMessage));
    }

    /** The first three seeds (of at most 2000) whose run shows the race; fails if fewer race. */
    private static List<SimResult> racingSeeds(java.util.function.Predicate<SimResult> races) {
        List<SimResult> found = new java.util.ArrayList<>();
        for (long seed = 1; seed <= 2000 && found.size() < 3; seed++) {
            SimResult r = Sim.run(SimConfig.standard(seed));
            if (races.test(r)) {
                found.add(r);
            }
        }
        assertEquals(3, found.size(), "the race no longer happens in 2000 seeds: the regression test lost its teeth");
        return found;
    }

    private static SimResult firstViolation(SimConfig.Mutation mutation, int seeds) {
        for (long seed = 1; seed <= seeds; seed++) {
            SimResult r = Sim.run(SimConfig.standard(seed).withMutation(mutation));
            if (!r.ok()) {
                return r;
            }
        }
        throw new AssertionError("no violation in " + seeds + " seeds with the broken agent " + mutation);
    }
}

package io.baton.coordinator.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Deterministic simulation of a Baton cluster (see {@link Sim}). {@code -Dsim.seed=N} runs only seed N
 * and writes its whole trace to target/sim-trace-N.txt; {@code -Dsim.schedules=N} sets how many seeds
 * the main test runs (default 2000); {@code -Dsim.fixes=both|none|heartbeat|stop} chooses which
 * proposed core fixes the harness emulates (default both, see {@link ProposedFixes}). The summary line
 * goes to standard output (with surefire: target/surefire-reports/...SimulationTest-output.txt).
 */
class SimulationTest {
    static final int DEFAULT_SCHEDULES = 2000;

    @Test
    void randomSchedulesKeepEveryInvariant() {
        Long only = Long.getLong("sim.seed");
        long start = System.nanoTime(); // the test's own wall time, for the summary only
        ProposedFixes.Flags fixes = ProposedFixes.Flags.fromSystemProperty();
        List<SimResult> results = only != null
                ? List.of(Sim.run(SimConfig.standard(only).withFixes(fixes).keepingTrace()))
                : LongStream.rangeClosed(1, Integer.getInteger("sim.schedules", DEFAULT_SCHEDULES)).parallel()
                        .mapToObj(seed -> Sim.run(SimConfig.standard(seed).withFixes(fixes))).toList();
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
    }

    @Test
    void aCalmClusterRunsEveryGroupWithoutFencesOrTakeovers() {
        for (long seed = 1; seed <= 5; seed++) {
            SimResult r = Sim.run(SimConfig.calm(seed));
            assertTrue(r.ok(), r::failureMessage);
            assertEquals(0, r.stats().fences, "seed " + seed);
            assertEquals(0, r.stats().takeovers, "seed " + seed);
            assertEquals(2, r.stats().activations, "seed " + seed + ": web and db, once each");
            assertEquals(0, r.stats().fixRefusals, "seed " + seed);
        }
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
     * Core bug 1, the takeover race (see {@link ProposedFixes}): without its emulated fix these seeds
     * violate S1 (seed 8) or S3 (seeds 54, 145). Enable once the core is fixed, then drop the emulation.
     */
    @Disabled("core bug: a takeover Grant/Revoke decided before the owner's heartbeat commits is accepted; see ProposedFixes")
    @ParameterizedTest
    @ValueSource(longs = {8, 54, 145})
    void takeoverRaceSeeds(long seed) {
        SimResult r = Sim.run(SimConfig.standard(seed).withFixes(new ProposedFixes.Flags(false, true)));
        assertTrue(r.ok(), r::failureMessage);
    }

    /**
     * Core bug 2, the lost stop (see {@link ProposedFixes}): without its emulated fix the controller
     * starts a group an operator just stopped in these seeds. Enable once the core is fixed.
     */
    @Disabled("core bug: a controller Grant decided before an operator's Stop commits still starts the group; see ProposedFixes")
    @ParameterizedTest
    @ValueSource(longs = {9, 59, 94})
    void lostStopSeeds(long seed) {
        SimResult r = Sim.run(SimConfig.standard(seed).withFixes(new ProposedFixes.Flags(true, false)));
        assertTrue(r.ok(), r::failureMessage);
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

package io.baton.coordinator.sim;

import io.baton.coordinator.core.Topology;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * One seeded schedule: a safety phase with faults and operators, then a heal phase, in simulated
 * time. Everything random comes from one {@link Random}; nothing reads a real clock; so a seed
 * replays exactly. Invariants are checked after every event.
 */
final class Sim {
    final SimConfig config;
    final Random random;
    final Scheduler scheduler = new Scheduler();
    final Trace trace;
    final Topology topology;
    final Map<String, SimNode> nodes = new LinkedHashMap<>();
    final SimRaft raft;
    final Invariants invariants = new Invariants(this);
    final Faults faults = new Faults(this);
    final Operators operators = new Operators(this);
    final Stats stats = new Stats();
    boolean healing;

    private Sim(SimConfig config) {
        this.config = config;
        this.random = new Random(config.seed());
        this.trace = new Trace(scheduler, config.keepTrace());
        this.topology = config.topology();
        this.raft = new SimRaft(this);
        double rho = SimConfig.TIMING.maxDrift();
        for (Topology.NodeSpec spec : topology.nodes()) {
            // Extreme rates half of the time: the drift bound is what the lease arithmetic must survive.
            double rate = random.nextBoolean()
                    ? (random.nextBoolean() ? 1 - rho : 1 + rho)
                    : 1 - rho + 2 * rho * random.nextDouble();
            long offset = random.nextLong() / 4;
            nodes.put(spec.id(), new SimNode(this, spec.id(), spec.witness(), new SimClock(offset, rate)));
        }
    }

    /** Runs one schedule to its end or its first violation. */
    static SimResult run(SimConfig config) {
        Sim sim = new Sim(config);
        String violation = null;
        try {
            sim.play();
        } catch (Invariants.Violation v) {
            violation = v.getMessage();
            sim.trace.add("CHECK", "VIOLATION " + violation);
        }
        sim.stats.schedules = 1;
        sim.stats.simulatedNanos = sim.scheduler.now();
        sim.stats.events = sim.scheduler.eventsRun();
        if (config.keepTrace()) {
            sim.trace.writeAll(Path.of("target", "sim-trace-" + config.seed() + ".txt"));
        }
        return new SimResult(config.seed(), violation, sim.trace.tail(), sim.trace.hash(), sim.trace.lines(), sim.stats);
    }

    private void play() {
        long healAt = config.safetyNanos();
        long endAt = healAt + SimConfig.l1BoundNanos() + 1_000 * SimConfig.MS;
        trace.add("sim", "seed " + config.seed() + ": " + config.dataNodes() + " data nodes + witness, groups "
                + topology.groupsByName().keySet() + ", clocks " + clocks() + ", mutation " + config.mutation());
        for (SimNode n : nodes.values()) {
            n.boot(0);
        }
        raft.changed();
        if (config.faults()) {
            faults.plan(healAt);
        }
        if (!config.faults() && config.appCrashes()) {
            faults.planAppCrashes(healAt);
        }
        if (config.operators()) {
            operators.plan(healAt);
        }
        scheduler.at(healAt, () -> {
            healing = true;
            faults.healAll();
            operators.startEverything();
        });
        while (scheduler.peek() <= endAt) {
            if (scheduler.step()) {
                invariants.afterEvent();
            }
        }
        stats.maxConvergenceNanos = invariants.checkL1(healAt);
    }

    private String clocks() {
        StringBuilder b = new StringBuilder();
        nodes.values().forEach(n -> b.append(n.id).append(String.format("×%.4f ", n.clock.rate)));
        return b.toString().trim();
    }

    /** Uniform in [lo, hi]. */
    long between(long lo, long hi) {
        return lo + (long) (random.nextDouble() * (hi - lo + 1));
    }

    boolean chance(double p) {
        return p > 0 && random.nextDouble() < p;
    }
}

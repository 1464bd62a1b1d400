package io.baton.coordinator.sim;

import io.baton.coordinator.core.Timing;
import io.baton.coordinator.core.Topology;
import java.util.ArrayList;
import java.util.List;

/**
 * One schedule's shape. Durations in nanoseconds of true time unless named local.
 *
 * @param seed               the only source of randomness
 * @param dataNodes          2 or 3 data nodes, plus one witness
 * @param groups             1 or 2 failover groups
 * @param safetyNanos        how long faults and operators run before the heal phase
 * @param faults             inject crashes, pauses and partitions
 * @param operators          submit random moves, stops and starts
 * @param appCrashes         applications crash on their own (only their monitors see it); with no other
 *                           faults the liveness rule L2 is checked after each crash of an owner's application
 * @param activationFailure  probability that an activation fails (safety phase only)
 * @param mutation           a deliberately broken agent, to prove the checkers can fail
 * @param keepTrace          keep every trace line (single-seed runs write them to a file)
 * @param network            message and apply latencies
 */
record SimConfig(long seed, int dataNodes, int groups, long safetyNanos, boolean faults, boolean operators,
                 boolean appCrashes, double activationFailure, Mutation mutation, boolean keepTrace,
                 Network network) {

    static final long MS = 1_000_000L;
    /** lease 2 s, heartbeat 400 ms, ρ 1 %, margin 200 ms: takeover after 2.22 s (leader's clock). */
    static final Timing TIMING = new Timing(2_000 * MS, 400 * MS, 0.01, 200 * MS);
    static final long STOP_BUDGET_NANOS = 600 * MS;
    /** The controller's minimum gap between decisions that inputs ask for (a node's: heartbeat / 5). */
    static final long CONTROLLER_GAP_NANOS = 80 * MS;
    /** An agent gives up on a heartbeat that got no answer within this (local) time and sends a new one. */
    static final long REPLY_TIMEOUT_NANOS = 400 * MS;
    static final long ACTIVATION_MAX_NANOS = 200 * MS;
    /** Deactivation must finish within the stop budget; the model uses at most half of it. */
    static final long DEACTIVATION_MAX_NANOS = STOP_BUDGET_NANOS / 2;
    static final long ELECTION_MIN_NANOS = 150 * MS;
    static final long ELECTION_MAX_NANOS = 600 * MS;

    /**
     * Latencies, each uniform from (about) zero to its maximum.
     *
     * @param commitMaxNanos from the append at the leader to the commit (1 ms at least)
     * @param messageMaxNanos from a node to the leader, and of an answer back
     * @param applyMaxNanos  from a commit to its apply on a connected follower's replica (1 ms at least)
     */
    record Network(long commitMaxNanos, long messageMaxNanos, long applyMaxNanos) {
        /** A LAN: commits within 20 ms, replicas within 30 ms. */
        static final Network FAST = new Network(20 * MS, 5 * MS, 30 * MS);
        /** A congested or distant network, with replicas lagging far behind. */
        static final Network SLOW = new Network(150 * MS, 60 * MS, 400 * MS);
    }

    /** A broken agent rule; NONE is the real one. */
    enum Mutation {
        NONE,
        /** Activates on what its replica shows, without a confirmed lease. */
        NO_LEASE_CHECK,
        /** Keeps an active group while its replica shows it the owner, even when its lease ran out. */
        NO_FENCE
    }

    /**
     * The mix the main test runs: a third each of 2 data nodes/1 group, 2/2 and 3/2; one seed in five on
     * a slow network.
     */
    static SimConfig standard(long seed) {
        int kind = (int) Math.floorMod(seed, 3);
        Network network = Math.floorMod(seed, 5) == 4 ? Network.SLOW : Network.FAST;
        return new SimConfig(seed, kind == 2 ? 3 : 2, kind == 0 ? 1 : 2, 24_000 * MS, true, true, true, 0.05,
                Mutation.NONE, false, network);
    }

    /** No faults, no operators, no failing activations: the steady state. */
    static SimConfig calm(long seed) {
        return new SimConfig(seed, 3, 2, 10_000 * MS, false, false, false, 0, Mutation.NONE, false, Network.FAST);
    }

    /** Only applications crash, on their owners, now and then: each must be healthy again somewhere soon (L2). */
    static SimConfig applications(long seed) {
        return new SimConfig(seed, 2 + (int) Math.floorMod(seed, 2), 2, 20_000 * MS, false, false, true, 0,
                Mutation.NONE, false, Network.FAST);
    }

    SimConfig withMutation(Mutation m) {
        return new SimConfig(seed, dataNodes, groups, safetyNanos, faults, operators, appCrashes, activationFailure, m, keepTrace,
                network);
    }

    SimConfig keepingTrace() {
        return new SimConfig(seed, dataNodes, groups, safetyNanos, faults, operators, appCrashes, activationFailure, mutation, true,
                network);
    }

    Topology topology() {
        List<Topology.NodeSpec> nodes = new ArrayList<>();
        List<String> data = new ArrayList<>();
        for (int i = 1; i <= dataNodes; i++) {
            data.add("server" + i);
            nodes.add(new Topology.NodeSpec("server" + i, false));
        }
        nodes.add(new Topology.NodeSpec("witness", true));
        List<Topology.GroupSpec> specs = new ArrayList<>();
        // web has a mirror disk: its grants must go to UpToDate replicas only.
        specs.add(new Topology.GroupSpec("web", List.copyOf(data), true, true));
        if (groups > 1) {
            List<String> reversed = new ArrayList<>(data);
            java.util.Collections.reverse(reversed);
            specs.add(new Topology.GroupSpec("db", reversed, true));
        }
        return new Topology(nodes, specs);
    }

    /**
     * The L2 bound after an owner's application crashed: its monitor's verdict (failures · interval,
     * plus one interval for the check in flight), then a local restart or a failover: a stop, the
     * failure report's heartbeat and commit, the controller's grant, the new owner's lease and its
     * activation, with slack for commits and applies.
     */
    static long l2BoundNanos() {
        return (SimAgent.APP_MONITOR.failures() + 1) * SimAgent.MONITOR_INTERVAL_NANOS
                + DEACTIVATION_MAX_NANOS + ACTIVATION_MAX_NANOS + 2 * REPLY_TIMEOUT_NANOS
                + 2 * TIMING.heartbeatNanos() + CONTROLLER_GAP_NANOS + 1_000 * MS;
    }

    /**
     * The L1 bound after the heal begins: an election, a new leader's full takeover wait (lease·(1+ρ)
     * + margin on a clock that may run slow), a few heartbeats (a restarted owner's first confirmation,
     * a released report), a stop, an activation, plus slack for commits and applies.
     */
    static long l1BoundNanos() {
        double slow = 1 - TIMING.maxDrift();
        return ELECTION_MAX_NANOS
                + (long) Math.ceil(TIMING.takeoverAfterNanos() / slow)
                + (long) Math.ceil(3 * TIMING.heartbeatNanos() / slow)
                + CONTROLLER_GAP_NANOS + DEACTIVATION_MAX_NANOS + ACTIVATION_MAX_NANOS
                + 1_000 * MS;
    }
}

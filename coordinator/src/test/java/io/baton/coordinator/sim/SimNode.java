package io.baton.coordinator.sim;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.Core;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import java.util.ArrayList;
import java.util.List;

/**
 * One server: its clock, its replica of the committed state (own {@link Core}, same topology), its
 * controller runner and its agent. A crash loses everything but the persisted log prefix it had
 * applied; a pause freezes it with its resources as they were.
 */
final class SimNode {
    enum Status { UP, PAUSED, CRASHED }

    final Sim sim;
    final String id;
    final boolean witness;
    final SimClock clock;
    Status status = Status.UP;
    /** The process number: grows with every restart; the agent's boot id. Events of older processes are dropped. */
    long incarnation = 1;
    final List<Runnable> frozen = new ArrayList<>();

    Core core;
    ClusterState replica;
    long applied;
    boolean deliveryPending;
    SimController controller;
    SimAgent agent;
    /** Fault generations, so that the end of an old fault does not end a newer one. */
    long crashGen;
    long pauseGen;
    long isolateGen;

    SimNode(Sim sim, String id, boolean witness, SimClock clock) {
        this.sim = sim;
        this.id = id;
        this.witness = witness;
        this.clock = clock;
    }

    /** Boots a fresh process: replays the persisted log prefix, then starts the controller runner and agent. */
    void boot(long persisted) {
        core = new Core(sim.topology);
        replica = ClusterState.initial(sim.topology);
        applied = 0;
        deliveryPending = false;
        agent = null;
        controller = new SimController(sim, this);
        catchUp(persisted);
        agent = new SimAgent(sim, this);
        agent.start();
    }

    long local() {
        return clock.local(sim.scheduler.now());
    }

    boolean up() {
        return status == Status.UP;
    }

    /** Runs {@code action} when this node's clock reads {@code localNanos}, if this incarnation still runs. */
    void atLocal(long localNanos, Runnable action) {
        sim.scheduler.at(clock.trueAt(localNanos, sim.scheduler.now()), this, action);
    }

    void afterLocal(long delayNanos, Runnable action) {
        atLocal(local() + delayNanos, action);
    }

    /** Applies the committed log up to {@code upTo} to this replica, as Ratis would, and wakes the agent. */
    void catchUp(long upTo) {
        boolean changed = false;
        while (applied < upTo) {
            long index = ++applied;
            Command c = sim.raft.entry(index);
            CommandResult r = core.apply(replica, c, index);
            sim.invariants.replicaApplied(this, index, r);
            controller.applied(c, r);
            changed = true;
        }
        if (changed && agent != null) {
            agent.reconcile();
        }
    }
}

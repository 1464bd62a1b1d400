package io.baton.coordinator.sim;

import io.baton.coordinator.core.Controller;
import io.baton.coordinator.core.ControllerRound;
import io.baton.coordinator.core.DecisionSchedule;
import io.baton.coordinator.core.FailbackWatch;
import io.baton.coordinator.core.LeaseConfirmations;
import io.baton.coordinator.core.NodeState;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.ResultCode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * The model of ControllerRunner on one node: lastHeard[node] is this node's clock when its replica
 * applies that node's heartbeat (on every replica, leader or not, replays included); leaderSince is its
 * clock when it became leader; while leader it runs the real {@link Controller} on its own replica and
 * proposes the answer, one proposal in flight per subject. It decides when the real runner does
 * ({@link DecisionSchedule}): at the instant the controller names, or when an entry is applied, a node
 * is heard again after a lapse or a proposal is answered.
 */
final class SimController {
    private final Sim sim;
    private final SimNode node;
    private final Controller controller;
    private final LeaseConfirmations confirmations = new LeaseConfirmations();
    private final Set<String> inFlight = new TreeSet<>();
    private final DecisionSchedule schedule = new DecisionSchedule(SimConfig.CONTROLLER_GAP_NANOS);
    private boolean leader;
    private long leaderSince;
    /** Bumped to cancel the tick scheduled before: only the latest one runs. */
    private long chain;
    /** The local time the scheduled tick is due, and when the last one ran. */
    private long dueAt = Long.MAX_VALUE;
    private long lastTick = Long.MIN_VALUE / 2;

    SimController(Sim sim, SimNode node) {
        this.sim = sim;
        this.node = node;
        this.controller = new Controller(sim.topology, SimConfig.TIMING);
    }

    void applied(Command c, CommandResult r) {
        if (c.hasHeartbeat() && r.getCode() == ResultCode.RESULT_OK) {
            confirmations.heard(c.getHeartbeat().getNode(), node.local());
        }
        wake();
    }

    /** An input changed: decide as soon as the minimum gap allows (ControllerRunner.wake). */
    private void wake() {
        if (leader) {
            scheduleAt(schedule.afterInput(node.local(), lastTick));
        }
    }

    /** The next tick at local time {@code at}, unless one is due sooner. */
    private void scheduleAt(long at) {
        if (dueAt <= at) {
            return;
        }
        long mine = ++chain;
        dueAt = at;
        node.atLocal(at, () -> tick(mine));
    }

    /** A heartbeat read reaching this node after the ReadIndex round, as BatonStateMachine and ControllerRunner answer it. */
    CommandResult read(Command heartbeat) {
        CommandResult r = sim.raft.core.confirm(node.replica, heartbeat, node.applied);
        if (r.getCode() != ResultCode.RESULT_OK) {
            return r;
        }
        String id = heartbeat.getHeartbeat().getNode();
        NodeState n = node.replica.node(id).orElseThrow();
        OptionalLong before = confirmations.lastHeard(id);
        if (!leader || !confirmations.confirmRead(id, n.incarnation(), n.seq(), node.local())) {
            return CommandResult.newBuilder().setCode(ResultCode.RESULT_WRITE_NEEDED).setMessage("not confirmed").build();
        }
        if (controller.confirmationMatters(before, node.local())) {
            wake();
        }
        return r;
    }

    void leaderReady() {
        leaderSince = node.local() + SimConfig.ELECTION_MAX_NANOS / 2; // as ControllerRunner: RaftNode.readFreshness
        leader = true;
        dueAt = Long.MAX_VALUE;
        scheduleAt(node.local());
    }

    void notLeader() {
        leader = false;
        dueAt = Long.MAX_VALUE;
        chain++;
    }

    private void tick(long mine) {
        if (mine != chain || !leader) {
            return;
        }
        dueAt = Long.MAX_VALUE;
        long now = node.local();
        lastTick = now;
        long next = Long.MAX_VALUE;
        if (sim.raft.isLeader(node)) {
            var liveness = confirmations.liveness(leaderSince);
            next = controller.nextDecisionAt(node.replica, liveness, FailbackWatch.NONE, now);
            List<Command> fresh = new ArrayList<>();
            for (Command c : confirmations.admit(node.replica, controller.decide(node.replica, liveness, now), liveness)) {
                if (inFlight.add(ControllerRound.subject(c))) {
                    fresh.add(c);
                }
            }
            for (Command entry : ControllerRound.entries(fresh)) {
                propose(entry, node.applied);
            }
        }
        scheduleAt(schedule.afterDecision(now, next));
    }

    private void propose(Command entry, long decidedAt) {
        List<String> subjects = ControllerRound.decisionsOf(entry).stream().map(ControllerRound::subject).toList();
        if (ControllerRound.decisionsOf(entry).stream().anyMatch(d -> !d.hasLiveness())) {
            sim.trace.add(node.id, "controller proposes " + Invariants.describe(entry) + ", decided on index " + decidedAt);
        }
        sim.raft.submit(node, entry, result -> {
            subjects.forEach(inFlight::remove);
            wake();
        });
    }
}

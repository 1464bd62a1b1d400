package io.baton.coordinator.sim;

import io.baton.coordinator.core.Controller;
import io.baton.coordinator.core.ControllerRound;
import io.baton.coordinator.core.LeaseConfirmations;
import io.baton.coordinator.core.NodeState;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.ResultCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The model of ControllerRunner on one node: lastHeard[node] is this node's clock when its replica
 * applies that node's heartbeat (on every replica, leader or not, replays included); leaderSince is its
 * clock when it became leader; while leader it runs the real {@link Controller} every tick on its own
 * replica and proposes the answer, one proposal in flight per subject.
 */
final class SimController {
    private final Sim sim;
    private final SimNode node;
    private final Controller controller;
    private final LeaseConfirmations confirmations = new LeaseConfirmations();
    private final Set<String> inFlight = new TreeSet<>();
    private boolean leader;
    private long leaderSince;
    private long chain;

    SimController(Sim sim, SimNode node) {
        this.sim = sim;
        this.node = node;
        this.controller = new Controller(sim.topology, SimConfig.TIMING);
    }

    void applied(Command c, CommandResult r) {
        if (c.hasHeartbeat() && r.getCode() == ResultCode.RESULT_OK) {
            confirmations.heard(c.getHeartbeat().getNode(), node.local());
        }
    }

    /** A heartbeat read reaching this node after the ReadIndex round, as BatonStateMachine and ControllerRunner answer it. */
    CommandResult read(Command heartbeat) {
        CommandResult r = sim.raft.core.confirm(node.replica, heartbeat, node.applied);
        if (r.getCode() != ResultCode.RESULT_OK) {
            return r;
        }
        String id = heartbeat.getHeartbeat().getNode();
        NodeState n = node.replica.node(id).orElseThrow();
        if (!leader || !confirmations.confirmRead(id, n.incarnation(), n.seq(), node.local())) {
            return CommandResult.newBuilder().setCode(ResultCode.RESULT_WRITE_NEEDED).setMessage("not confirmed").build();
        }
        return r;
    }

    void leaderReady() {
        leaderSince = node.local() + SimConfig.ELECTION_MAX_NANOS / 2; // as ControllerRunner: RaftNode.readFreshness
        leader = true;
        long mine = ++chain;
        node.afterLocal(SimConfig.CONTROLLER_TICK_NANOS, () -> tick(mine));
    }

    void notLeader() {
        leader = false;
        chain++;
    }

    private void tick(long mine) {
        if (mine != chain || !leader) {
            return;
        }
        if (sim.raft.isLeader(node)) {
            long now = node.local();
            var liveness = confirmations.liveness(leaderSince);
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
        node.afterLocal(SimConfig.CONTROLLER_TICK_NANOS, () -> tick(mine));
    }

    private void propose(Command entry, long decidedAt) {
        List<String> subjects = ControllerRound.decisionsOf(entry).stream().map(ControllerRound::subject).toList();
        if (ControllerRound.decisionsOf(entry).stream().anyMatch(d -> !d.hasLiveness())) {
            sim.trace.add(node.id, "controller proposes " + Invariants.describe(entry) + ", decided on index " + decidedAt);
        }
        sim.raft.submit(node, entry, result -> subjects.forEach(inFlight::remove));
    }
}

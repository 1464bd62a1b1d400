package io.baton.coordinator.sim;

import io.baton.coordinator.core.Topology;
import io.baton.coordinator.core.GroupState;
import io.baton.proto.Command;
import io.baton.proto.ForceActivate;
import io.baton.proto.MoveGroup;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.ReplicaUpdate;
import io.baton.proto.ResultCode;
import io.baton.proto.StartGroup;
import io.baton.proto.StopGroup;
import java.util.List;

/** Operators at random times during the safety phase; at the heal, a start of every group until it commits. */
final class Operators {
    static final long MS = SimConfig.MS;

    private final Sim sim;

    Operators(Sim sim) {
        this.sim = sim;
    }

    /** Random commands until a second before {@code healNanos}, so that none is still in flight at the heal. */
    void plan(long healNanos) {
        for (long t = sim.between(500 * MS, 4_000 * MS); t < healNanos - 1_000 * MS; t += sim.between(500 * MS, 5_000 * MS)) {
            sim.scheduler.at(t, this::act);
        }
    }

    private void act() {
        SimNode from = randomUpNode();
        if (from == null) {
            return;
        }
        List<Topology.GroupSpec> groups = sim.topology.groups();
        Topology.GroupSpec g = groups.get(sim.random.nextInt(groups.size()));
        List<Topology.NodeSpec> nodes = sim.topology.nodes();
        String anyNode = nodes.get(sim.random.nextInt(nodes.size())).id();
        String member = g.members().get(sim.random.nextInt(g.members().size()));
        int roll = sim.random.nextInt(g.mirrored() ? 150 : 100);
        Command c;
        if (roll < 30) {
            c = Command.newBuilder().setMove(MoveGroup.newBuilder().setGroup(g.name()).setTo(member)).build();
        } else if (roll < 40) {
            c = Command.newBuilder().setMove(MoveGroup.newBuilder().setGroup(g.name()).setTo(anyNode)).build();
        } else if (roll < 65) {
            c = Command.newBuilder().setStop(StopGroup.newBuilder().setGroup(g.name())).build();
        } else if (roll < 85) {
            c = Command.newBuilder().setStart(StartGroup.newBuilder().setGroup(g.name())).build();
        } else if (roll < 100) {
            c = Command.newBuilder().setStart(StartGroup.newBuilder().setGroup(g.name()).setOn(member)).build();
        } else if (roll < 125) {
            from = believedOwner(g.name(), from);
            c = replicaUpdate(from, g.name(), otherMember(g, from.id, member));
        } else {
            c = Command.newBuilder().setForceActivate(ForceActivate.newBuilder().setGroup(g.name())
                    .setOn(outdatedMember(g, from, member))).build();
        }
        sim.stats.operatorCommands++;
        sim.trace.add(from.id, "operator: " + Invariants.describe(c));
        sim.raft.submit(from, c, r -> { });
    }

    /**
     * A mirror primary's record of a peer's replica, as {@code from} would propose it from its own
     * (possibly stale) replica of the state: refused unless it is the owner at the committed epoch.
     */
    private Command replicaUpdate(SimNode from, String group, String peer) {
        GroupState local = from.replica.group(group).orElseThrow();
        int pick = sim.random.nextInt(100);
        ReplicaStateProto state = pick < 50 ? ReplicaStateProto.REPLICA_OUTDATED
                : pick < 85 ? ReplicaStateProto.REPLICA_UP_TO_DATE : ReplicaStateProto.REPLICA_INCONSISTENT;
        return Command.newBuilder().setReplicaUpdate(ReplicaUpdate.newBuilder().setGroup(group).setNode(peer)
                .setState(state).setProposer(from.id).setEpoch(local.epoch())).build();
    }

    /** An up node whose replica shows it owning {@code group} (the primary), else {@code fallback}. */
    private SimNode believedOwner(String group, SimNode fallback) {
        return sim.nodes.values().stream().filter(SimNode::up)
                .filter(n -> n.id.equals(n.replica.group(group).orElseThrow().owner())).findFirst().orElse(fallback);
    }

    /** A member other than {@code self} (a primary records its peers), else {@code fallback}. */
    private String otherMember(Topology.GroupSpec g, String self, String fallback) {
        List<String> others = g.members().stream().filter(m -> !m.equals(self)).toList();
        return others.isEmpty() ? fallback : others.get(sim.random.nextInt(others.size()));
    }

    /** As an operator reading status would: a member {@code from}'s replica shows Outdated, else {@code fallback}. */
    private String outdatedMember(Topology.GroupSpec g, SimNode from, String fallback) {
        GroupState local = from.replica.group(g.name()).orElseThrow();
        return g.members().stream().filter(m -> local.replica(m) == io.baton.coordinator.core.Replica.OUTDATED)
                .findFirst().orElse(fallback);
    }

    /**
     * The heal's operator: starts every group (clears stops and failures) and retries until committed;
     * then, as an operator watching status would, starts again a group that a failure reported late
     * (a start that failed just before the heal, rolled back after it) left failed.
     */
    void startEverything() {
        for (Topology.GroupSpec g : sim.topology.groups()) {
            startUntilCommitted(g.name());
        }
        sim.scheduler.at(sim.scheduler.now() + 200 * MS, this::restartFailed);
    }

    private void restartFailed() {
        for (Topology.GroupSpec g : sim.topology.groups()) {
            if (sim.raft.state.group(g.name()).map(s -> s.phase() == io.baton.coordinator.core.Phase.FAILED).orElse(false)) {
                sim.trace.add("operator", "heal: " + g.name() + " failed late; starting it again");
                startUntilCommitted(g.name());
            }
        }
        sim.scheduler.at(sim.scheduler.now() + 200 * MS, this::restartFailed);
    }

    private void startUntilCommitted(String group) {
        SimNode from = randomUpNode();
        Command c = Command.newBuilder().setStart(StartGroup.newBuilder().setGroup(group)).build();
        sim.raft.submit(from, c, r -> {
            if (r == null || r.getCode() != ResultCode.RESULT_OK) {
                sim.scheduler.at(sim.scheduler.now() + 100 * MS, () -> startUntilCommitted(group));
            }
        });
    }

    private SimNode randomUpNode() {
        List<SimNode> up = sim.nodes.values().stream().filter(SimNode::up).toList();
        return up.isEmpty() ? null : up.get(sim.random.nextInt(up.size()));
    }
}

package io.baton.coordinator.core;

import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import io.baton.proto.HeldGrant;
import io.baton.proto.ResultCode;
import java.util.stream.Collectors;

/**
 * The failover state machine: {@code apply(state, command)} validates a command and, if accepted,
 * changes the state. It is deterministic: it reads no clock and no randomness, so every replica
 * that applies the same log reaches the same state. Refusals change nothing and say why.
 *
 * <p>Invariants it keeps on the committed state (see PROTOCOL.md): a group has at most one owner;
 * the epoch grows by one with every grant; a group is granted to another node only when it has no
 * owner, when its owner reported it released, or when the controller decided the owner's lease ran
 * out ({@code Grant} with the epoch it saw, so a stale decision is refused).
 */
public final class Core {
    private final Topology topology;

    public Core(Topology topology) {
        this.topology = topology;
    }

    public Topology topology() {
        return topology;
    }

    /** Applies one committed command at {@code logIndex}. */
    public CommandResult apply(ClusterState state, Command command, long logIndex) {
        Apply a = new Apply(state, command, logIndex);
        try {
            return switch (command.getKindCase()) {
                case HEARTBEAT -> a.heartbeat(command.getHeartbeat());
                case GRANT -> a.grant();
                case REVOKE -> a.revoke();
                case MOVE -> a.move();
                case START -> a.start();
                case STOP -> a.stop();
                case LIVENESS -> a.liveness();
                case REPLICA_UPDATE -> a.replicaUpdate();
                case FORCE_ACTIVATE -> a.forceActivate();
                case SET_MAINTENANCE, NODE_STANDBY, CLEAR_FAILURES ->
                        throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT, "not supported by this node yet");
                case KIND_NOT_SET -> throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT, "empty command");
            };
        } catch (Refusal r) {
            return CommandResult.newBuilder().setCode(r.code).setMessage(r.getMessage()).build();
        }
    }

    /** One application of one command: holds what every rule needs, so the rules stay short. */
    private final class Apply {
        final ClusterState s;
        final Command cmd;
        final long logIndex;

        Apply(ClusterState s, Command cmd, long logIndex) {
            this.s = s;
            this.cmd = cmd;
            this.logIndex = logIndex;
        }

        // ---- heartbeats: liveness, observed state, and the transitions owners report ----

        CommandResult heartbeat(Heartbeat hb) throws Refusal {
            NodeState n = knownNode(hb.getNode());
            if (!n.alive) {
                n.alive = true;
                event("node-up", "", n.id, 0, "heartbeat received");
            }
            n.lastHeartbeatWallMs = cmd.getWallTimeMs();
            boolean newer = hb.getIncarnation() > n.incarnation
                    || (hb.getIncarnation() == n.incarnation && hb.getSeq() > n.seq);
            if (newer) {
                n.incarnation = hb.getIncarnation();
                n.seq = hb.getSeq();
                for (GroupReport r : hb.getReportsList()) {
                    report(n.id, r);
                }
            }
            CommandResult.Builder result = CommandResult.newBuilder().setCode(ResultCode.RESULT_OK);
            for (GroupState g : s.groups.values()) {
                if (n.id.equals(g.owner)) {
                    result.addHeld(HeldGrant.newBuilder()
                            .setGroup(g.name).setEpoch(g.epoch).setPhase(g.phase.toProto()));
                }
            }
            return result.build();
        }

        private void report(String node, GroupReport r) {
            GroupState g = s.groups.get(r.getGroup());
            if (g == null || !isMember(g.name, node)) {
                return;
            }
            g.reports.put(node, r);
            if (!node.equals(g.owner) || r.getEpoch() != g.epoch) {
                return;
            }
            ActivityProto activity = r.getActivity();
            switch (g.phase) {
                case STARTING -> {
                    if (activity == ActivityProto.ACTIVITY_ACTIVE) {
                        g.phase = Phase.ONLINE;
                        event("online", g.name, node, g.epoch, "every resource is active");
                    } else if (activity == ActivityProto.ACTIVITY_FAILED) {
                        failed(g, node, r.getMessage());
                    }
                }
                case ONLINE -> {
                    if (activity == ActivityProto.ACTIVITY_FAILED) {
                        failed(g, node, r.getMessage());
                    } else if (activity != ActivityProto.ACTIVITY_ACTIVE) {
                        g.phase = Phase.STARTING;
                        event("restarting", g.name, node, g.epoch, "owner reports its resources not all active");
                    }
                }
                case RELEASING -> {
                    if (r.getReleased()) {
                        released(g, node);
                    }
                }
                case OFFLINE, FAILED -> { }
            }
        }

        private void failed(GroupState g, String node, String why) {
            g.failedOn.add(node);
            g.owner = null;
            g.moveTarget = null;
            g.phase = Phase.FAILED;
            event("failed", g.name, node, g.epoch, why.isEmpty() ? "activation failed" : why);
        }

        private void released(GroupState g, String node) {
            event("released", g.name, node, g.epoch, "every resource is stopped");
            String target = g.moveTarget;
            g.moveTarget = null;
            var notGrantable = target == null ? java.util.Optional.<String>empty()
                    : ReplicaRules.whyNotGrantable(topology, g, target);
            if (notGrantable.isPresent()) {
                // The target was UpToDate when the move was accepted, but the owner recorded it behind
                // since: granting it now would lose writes. The controller picks an UpToDate node.
                g.owner = null;
                g.phase = Phase.OFFLINE;
                event("move-cancelled", g.name, target, g.epoch, notGrantable.get());
            } else if (target != null) {
                grantTo(g, target, "moved from " + node);
            } else {
                g.owner = null;
                g.phase = Phase.OFFLINE;
            }
        }

        // ---- the leader's controller: takeovers after a lease ran out, starts, liveness ----

        CommandResult grant() throws Refusal {
            var c = cmd.getGrant();
            GroupState g = knownGroup(c.getGroup());
            NodeState n = eligibleMember(g, c.getNode());
            requireUnchanged(g, c.getExpectedEpoch(), c.getOwnerIncarnation(), c.getOwnerSeq());
            if (g.adminStopped) {
                // An operator's stop committed after the controller decided: the stop wins.
                throw new Refusal(ResultCode.RESULT_STALE, "group '" + g.name + "' is stopped");
            }
            if (!n.alive) {
                throw new Refusal(ResultCode.RESULT_STALE, "node '" + n.id + "' is down");
            }
            // The controller picks only UpToDate replicas, but the owner may have recorded this one
            // behind after the decision.
            requireGrantable(g, n, ResultCode.RESULT_STALE);
            grantTo(g, n.id, c.getReason());
            return ok("granted " + g.name + " to " + n.id, g.epoch);
        }

        CommandResult revoke() throws Refusal {
            var c = cmd.getRevoke();
            GroupState g = knownGroup(c.getGroup());
            requireUnchanged(g, c.getExpectedEpoch(), c.getOwnerIncarnation(), c.getOwnerSeq());
            String previous = g.owner;
            g.owner = null;
            g.moveTarget = null;
            g.phase = Phase.OFFLINE;
            event("revoked", g.name, previous == null ? "" : previous, g.epoch, c.getReason());
            return ok("revoked " + g.name, g.epoch);
        }

        CommandResult liveness() throws Refusal {
            var c = cmd.getLiveness();
            NodeState n = knownNode(c.getNode());
            if (n.alive != c.getAlive()) {
                n.alive = c.getAlive();
                event(n.alive ? "node-up" : "node-down", "", n.id, 0,
                        n.alive ? "heartbeats resumed" : "no heartbeat within the lease");
            }
            return ok("", 0);
        }

        /**
         * A controller decision stands only if nothing it relied on changed before it committed: the
         * epoch, and the owner's last heartbeat. An owner heartbeat committed in between carries a
         * fresh send time and its result confirmed the grant, so the owner's lease runs from there:
         * taking the group now could leave two nodes active.
         */
        private void requireUnchanged(GroupState g, long epoch, long ownerIncarnation, long ownerSeq) throws Refusal {
            if (g.epoch != epoch) {
                throw new Refusal(ResultCode.RESULT_STALE, "epoch is " + g.epoch + ", not " + epoch);
            }
            if (g.owner != null) {
                NodeState owner = s.nodes.get(g.owner);
                if (owner.incarnation != ownerIncarnation || owner.seq != ownerSeq) {
                    throw new Refusal(ResultCode.RESULT_STALE,
                            "owner '" + g.owner + "' sent a heartbeat after the decision");
                }
            }
        }

        // ---- operators ----

        CommandResult move() throws Refusal {
            var c = cmd.getMove();
            GroupState g = knownGroup(c.getGroup());
            NodeState to = eligibleMember(g, c.getTo());
            requireAlive(to);
            if (g.adminStopped) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, "group '" + g.name
                        + "' is stopped; start it there with 'batonctl start " + g.name + " --on " + to.id + "'");
            }
            if (to.id.equals(g.owner) && g.phase != Phase.RELEASING) {
                return ok(g.name + " is already on " + to.id, g.epoch);
            }
            requireGrantable(g, to, ResultCode.RESULT_FAILED_PRECONDITION);
            event("move", g.name, to.id, g.epoch, "operator moves " + g.name + " to " + to.id);
            g.failedOn.remove(to.id);
            moveTo(g, to.id);
            return ok(g.phase == Phase.RELEASING
                    ? "moving " + g.name + " from " + g.owner + " to " + to.id
                    : "starting " + g.name + " on " + to.id, g.epoch);
        }

        CommandResult start() throws Refusal {
            var c = cmd.getStart();
            GroupState g = knownGroup(c.getGroup());
            NodeState on = null;
            if (!c.getOn().isEmpty()) {
                on = eligibleMember(g, c.getOn());
                requireAlive(on);
                requireGrantable(g, on, ResultCode.RESULT_FAILED_PRECONDITION);
            }
            boolean wasStopped = g.adminStopped;
            g.adminStopped = false;
            g.failedOn.clear();
            event("start", g.name, on == null ? "" : on.id, g.epoch,
                    "operator starts " + g.name + (on == null ? "" : " on " + on.id));
            if (g.owner != null && g.phase == Phase.RELEASING && g.moveTarget == null) {
                // A stop is under way: let the owner finish releasing, then start where asked.
                g.moveTarget = on == null ? g.owner : on.id;
                return ok(g.name + " will start on " + g.moveTarget + " once it has stopped", g.epoch);
            }
            if (g.owner != null && on != null && !on.id.equals(g.owner)) {
                moveTo(g, on.id);
                return ok("moving " + g.name + " from " + g.owner + " to " + on.id, g.epoch);
            }
            if (g.owner != null) {
                return ok(g.name + " is already running on " + g.owner, g.epoch);
            }
            if (on != null) {
                grantTo(g, on.id, "operator start");
                return ok("starting " + g.name + " on " + on.id, g.epoch);
            }
            g.phase = Phase.OFFLINE;
            return ok(wasStopped ? "starting " + g.name + " on the first eligible node" : g.name + " will start on the first eligible node", g.epoch);
        }

        CommandResult stop() throws Refusal {
            GroupState g = knownGroup(cmd.getStop().getGroup());
            if (g.adminStopped && g.owner == null) {
                return ok(g.name + " is already stopped", g.epoch);
            }
            g.adminStopped = true;
            g.moveTarget = null;
            event("stop", g.name, g.owner == null ? "" : g.owner, g.epoch, "operator stops " + g.name);
            if (g.owner != null) {
                g.phase = Phase.RELEASING;
                return ok("stopping " + g.name + " on " + g.owner, g.epoch);
            }
            g.phase = Phase.OFFLINE;
            return ok(g.name + " stopped", g.epoch);
        }

        // ---- mirror disks: replica states, recorded by the owner; forcing an Outdated replica ----

        /**
         * The owner records a peer's replica state (before acknowledging a write the peer lacks, and
         * after a resync). Only the owner at the current epoch: a deposed primary must not rewrite the
         * states its successor relies on. The owner never marks itself behind: it is the source.
         */
        CommandResult replicaUpdate() throws Refusal {
            var c = cmd.getReplicaUpdate();
            GroupState g = knownGroup(c.getGroup());
            requireMirrored(g);
            NodeState n = eligibleMember(g, c.getNode());
            Replica to = Replica.fromProto(c.getState());
            if (to == null) {
                throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT,
                        "a replica state must be UpToDate, Outdated or Inconsistent, not " + c.getState());
            }
            if (!c.getProposer().equals(g.owner) || c.getEpoch() != g.epoch) {
                throw new Refusal(ResultCode.RESULT_STALE, "only the owner of group '" + g.name
                        + "' at its current epoch records replica states: the grant is "
                        + (g.owner == null ? "nobody's" : g.owner + "'s") + " at epoch " + g.epoch + ", not "
                        + (c.getProposer().isEmpty() ? "(no proposer)" : c.getProposer()) + "'s at epoch " + c.getEpoch());
            }
            if (n.id.equals(g.owner) && to != Replica.UP_TO_DATE) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, "the owner '" + n.id
                        + "' cannot record its own replica of group '" + g.name + "' as " + to.display()
                        + ": it is the source of every write");
            }
            if (g.replicas.isEmpty()) {
                // Owned before the group had a mirror disk on record: its owner is the source.
                ReplicaRules.granted(topology, g, g.owner);
            }
            Replica was = g.replicas.get(n.id);
            if (was == to) {
                return ok(n.id + "'s replica of " + g.name + " is already " + to.display(), g.epoch);
            }
            g.replicas.put(n.id, to);
            event("replica", g.name, n.id, g.epoch, "replica " + (was == null ? "(none)" : was.display()) + " -> "
                    + to.display() + ", recorded by owner " + g.owner);
            return ok(n.id + "'s replica of " + g.name + " is now " + to.display(), g.epoch);
        }

        /**
         * An operator grants a mirrored group with no active owner to a node whose replica is Outdated,
         * accepting the loss of the writes it lacks. Refused for an Inconsistent replica (half-synced
         * data: a corrupt disk) and for an UpToDate one (nothing to lose: use start or move). The
         * group must have no owner at all: a down owner may still hold its lease until the leader
         * revokes the grant, and two writable disks would break S1.
         */
        CommandResult forceActivate() throws Refusal {
            var c = cmd.getForceActivate();
            GroupState g = knownGroup(c.getGroup());
            requireMirrored(g);
            NodeState on = eligibleMember(g, c.getOn());
            requireAlive(on);
            if (g.owner != null) {
                boolean ownerUp = s.nodes.get(g.owner).alive;
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, ownerUp
                        ? "group '" + g.name + "' is active on '" + g.owner + "' (" + g.phase.name().toLowerCase()
                                + "): force-activate is only for a group with no active owner"
                        : "group '" + g.name + "' is still granted to '" + g.owner + "', which is down, but its lease"
                                + " may not have run out yet; the leader revokes the grant once it has, retry then");
            }
            Replica r = g.replicas.get(on.id);
            String which = "node '" + on.id + "''s replica of group '" + g.name + "'";
            if (g.replicas.isEmpty()) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, "group '" + g.name
                        + "' was never granted (a new disk): nothing to lose; use 'batonctl start " + g.name
                        + " --on " + on.id + "'");
            }
            if (r == Replica.UP_TO_DATE) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, which + " is UpToDate: nothing to lose;"
                        + " use 'batonctl start " + g.name + " --on " + on.id + "' or 'batonctl move'");
            }
            if (r != Replica.OUTDATED) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, which + " is "
                        + (r == null ? "not recorded" : r.display()) + ": it holds half-synced data (no completed"
                        + " sync), so it cannot be activated even with data loss accepted");
            }
            for (String m : g.replicas.keySet()) {
                if (g.replicas.get(m) == Replica.UP_TO_DATE && s.nodes.get(m).alive) {
                    throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, "node '" + m + "''s replica of group '"
                            + g.name + "' is UpToDate and " + m + " is up: start the group there ('batonctl start "
                            + g.name + " --on " + m + "') instead of losing data");
                }
            }
            // The forced replica is the new source; every other copy now diverges from it. An Inconsistent
            // one stays so: it still needs a full sync.
            g.replicas.replaceAll((m, state) -> m.equals(on.id) ? Replica.UP_TO_DATE
                    : state == Replica.INCONSISTENT ? Replica.INCONSISTENT : Replica.OUTDATED);
            g.adminStopped = false;
            g.failedOn.clear();
            g.moveTarget = null;
            event("force-activate", g.name, on.id, g.epoch, "accepted data loss: replica of " + on.id
                    + " was Outdated; writes acknowledged after it fell behind are lost");
            grantTo(g, on.id, "operator force-activate");
            return ok("force-activated " + g.name + " on " + on.id + " at epoch " + g.epoch
                    + "; writes acknowledged after its replica fell behind are lost", g.epoch);
        }

        private void requireMirrored(GroupState g) throws Refusal {
            if (!ReplicaRules.mirrored(topology, g.name)) {
                throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT, "group '" + g.name
                        + "' has no mirror disk: replica states and force-activate apply to mirrored groups only");
            }
        }

        private void requireGrantable(GroupState g, NodeState n, ResultCode code) throws Refusal {
            var why = ReplicaRules.whyNotGrantable(topology, g, n.id);
            if (why.isPresent()) {
                throw new Refusal(code, why.get());
            }
        }

        // ---- shared steps ----

        private void moveTo(GroupState g, String target) {
            if (g.owner == null) {
                grantTo(g, target, "operator move");
            } else {
                g.phase = Phase.RELEASING;
                g.moveTarget = target;
            }
        }

        private void grantTo(GroupState g, String node, String reason) {
            g.owner = node;
            g.epoch++;
            g.phase = Phase.STARTING;
            g.moveTarget = null;
            ReplicaRules.granted(topology, g, node);
            event("granted", g.name, node, g.epoch, reason);
        }

        private GroupState knownGroup(String name) throws Refusal {
            GroupState g = s.groups.get(name);
            if (g == null) {
                throw new Refusal(ResultCode.RESULT_NOT_FOUND, "unknown group '" + name + "'; groups: "
                        + String.join(", ", s.groups.keySet()));
            }
            return g;
        }

        private NodeState knownNode(String id) throws Refusal {
            NodeState n = s.nodes.get(id);
            if (n == null) {
                throw new Refusal(ResultCode.RESULT_NOT_FOUND, "unknown node '" + id + "'; nodes: "
                        + String.join(", ", s.nodes.keySet()));
            }
            return n;
        }

        /** A node that may own {@code g}: known, not a witness, listed in the group. */
        private NodeState eligibleMember(GroupState g, String id) throws Refusal {
            NodeState n = knownNode(id);
            if (topology.node(id).map(Topology.NodeSpec::witness).orElse(false)) {
                throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT,
                        "node '" + id + "' is a witness: witnesses vote but own no group");
            }
            if (!isMember(g.name, id)) {
                throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT, "node '" + id + "' is not a member of group '"
                        + g.name + "' (members: " + members(g.name) + ")");
            }
            return n;
        }

        private void requireAlive(NodeState n) throws Refusal {
            if (!n.alive) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, "node '" + n.id + "' is down");
            }
        }

        private CommandResult ok(String message, long epoch) {
            return CommandResult.newBuilder().setCode(ResultCode.RESULT_OK).setMessage(message).setEpoch(epoch).build();
        }

        private void event(String kind, String group, String node, long epoch, String message) {
            s.addEvent(Event.newBuilder().setKind(kind).setGroup(group).setNode(node).setEpoch(epoch)
                    .setMessage(message).setWallTimeMs(cmd.getWallTimeMs()).setLogIndex(logIndex));
        }
    }

    private boolean isMember(String group, String node) {
        return topology.group(group).map(g -> g.members().contains(node)).orElse(false);
    }

    private String members(String group) {
        return topology.group(group).map(g -> g.members().stream().collect(Collectors.joining(", "))).orElse("");
    }
}

package io.baton.coordinator.core;

import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import io.baton.proto.HeldGrant;
import io.baton.proto.ResultCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>Each node process is told its incarnation by {@code Incarnate} (a per-node counter, never a clock);
 * once a node has one, heartbeats of any other incarnation are refused as stale and change nothing.
 *
 * <p>The command's {@code wall_time_ms} (the proposer's clock, part of the log, so the same on every
 * replica) serves only the failure history: after every accepted command, failure records older than the
 * group's failure timeout expire ({@code failure-expired}) and failovers outside its window stop counting.
 * Ownership never depends on it: a wrong clock can at worst cost an extra retry or a late expiry.
 *
 * <p>Before any rule, {@link CommandAuthority} checks who proposed the command; a refusal there is
 * {@code RESULT_PERMISSION_DENIED} and changes nothing.
 */
public final class Core {
    /** The cluster file's topology: what the cluster runs by until an operator changes its membership. */
    private final Topology fileTopology;
    private final boolean callersRequired;

    /** A core for a cluster that does not authenticate its operators (no TLS). */
    public Core(Topology topology) {
        this(topology, false);
    }

    /**
     * @param callersRequired the cluster authenticates its operators (TLS): an operator's command must
     *                        carry its caller (the same on every node: it follows the cluster file)
     */
    public Core(Topology topology, boolean callersRequired) {
        this.fileTopology = topology;
        this.callersRequired = callersRequired;
    }

    /** The cluster file's topology: the initial state's nodes and groups. */
    public Topology topology() {
        return fileTopology;
    }

    /** The topology {@code state} runs by: the cluster file's, with the membership an operator set. */
    public Topology topology(ClusterState state) {
        return state.topology(fileTopology);
    }

    /** Applies one committed command at {@code logIndex}. */
    public CommandResult apply(ClusterState state, Command command, long logIndex) {
        if (command.hasDecisions()) {
            return applyDecisions(state, command, logIndex);
        }
        String denied = CommandAuthority.problem(command, state, topology(state), callersRequired);
        if (denied != null) {
            return CommandResult.newBuilder().setCode(ResultCode.RESULT_PERMISSION_DENIED).setMessage(denied).build();
        }
        Apply a = new Apply(state, command, logIndex);
        CommandResult result;
        try {
            result = switch (command.getKindCase()) {
                case HEARTBEAT -> a.heartbeat(command.getHeartbeat());
                case GRANT -> a.grant();
                case REVOKE -> a.revoke();
                case MOVE -> a.move();
                case START -> a.start();
                case STOP -> a.stop();
                case LIVENESS -> a.liveness();
                case REPLICA_UPDATE -> a.replicaUpdate();
                case FORCE_ACTIVATE -> a.forceActivate();
                case SET_MAINTENANCE -> a.maintenance();
                case NODE_STANDBY -> a.standby();
                case CLEAR_FAILURES -> a.clearFailures();
                case INCARNATE -> a.incarnate();
                case ALERTS_DELIVERED -> a.alertsDelivered();
                case SET_PROTOCOL -> a.setProtocol();
                case SET_MEMBERSHIP -> a.setMembership();
                case APPLY_CONFIG -> a.applyConfig();
                case DECISIONS -> throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT, "decisions inside decisions");
                case KIND_NOT_SET -> throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT, "empty command");
            };
        } catch (Refusal r) {
            return CommandResult.newBuilder().setCode(r.code).setMessage(r.getMessage()).build();
        }
        // Only after an accepted command: a refusal changes nothing, not even the history's age.
        a.expireFailures();
        return result;
    }

    /** Each decision as an entry of its own at {@code logIndex}, under the outer command's proposer, leader and time. */
    private CommandResult applyDecisions(ClusterState state, Command outer, long logIndex) {
        CommandResult.Builder out = CommandResult.newBuilder().setCode(ResultCode.RESULT_OK);
        int accepted = 0;
        for (Command inner : outer.getDecisions().getCommandsList()) {
            CommandResult r;
            if (ControllerRound.sharesEntry(inner)) {
                r = apply(state, inner.toBuilder().setProposer(outer.getProposer()).setAppendedBy(outer.getAppendedBy())
                        .setWallTimeMs(outer.getWallTimeMs()).clearCaller().build(), logIndex);
            } else {
                r = CommandResult.newBuilder().setCode(ResultCode.RESULT_INVALID_ARGUMENT)
                        .setMessage("a " + inner.getKindCase() + " is not a controller decision").build();
            }
            accepted += r.getCode() == ResultCode.RESULT_OK ? 1 : 0;
            out.addResults(r);
        }
        return out.setMessage(accepted + " of " + outer.getDecisions().getCommandsCount() + " decisions applied").build();
    }

    /**
     * A heartbeat sent as a read at {@code readIndex} (see {@link HeartbeatReads}): OK with the grants the
     * node holds if committing it would change nothing that counts, else {@code RESULT_WRITE_NEEDED} with
     * the reason; {@code RESULT_PERMISSION_DENIED} if it is not the proposer's own heartbeat. Changes nothing.
     */
    public CommandResult confirm(ClusterState state, Command command, long readIndex) {
        if (!command.hasHeartbeat()) {
            return CommandResult.newBuilder().setCode(ResultCode.RESULT_INVALID_ARGUMENT)
                    .setMessage("only a heartbeat can be confirmed by a read").build();
        }
        String node = command.getHeartbeat().getNode();
        if (!command.getProposer().equals(node)) {
            return CommandResult.newBuilder().setCode(ResultCode.RESULT_PERMISSION_DENIED)
                    .setMessage(CommandAuthority.DENIED + ": '" + command.getProposer() + "' sent the heartbeat of node '"
                            + node + "'").build();
        }
        Optional<String> why = HeartbeatReads.whyWrite(topology(state), state, command, readIndex);
        if (why.isPresent()) {
            return CommandResult.newBuilder().setCode(ResultCode.RESULT_WRITE_NEEDED).setMessage(why.get()).build();
        }
        return held(state, node);
    }

    /** OK, with the grants {@code node} holds in {@code s}: a heartbeat's answer. */
    private static CommandResult held(ClusterState s, String node) {
        CommandResult.Builder result = CommandResult.newBuilder().setCode(ResultCode.RESULT_OK);
        for (GroupState g : s.groups.values()) {
            if (node.equals(g.owner)) {
                result.addHeld(HeldGrant.newBuilder().setGroup(g.name).setEpoch(g.epoch).setPhase(g.phase.toProto()));
            }
        }
        return result.build();
    }

    /**
     * Whether the owner's report {@code r} of its current epoch leaves a group in {@code phase} where it is:
     * exactly when {@code Apply.report}'s switch below does nothing with it.
     */
    static boolean settled(Phase phase, GroupReport r) {
        ActivityProto a = r.getActivity();
        return switch (phase) {
            case STARTING -> a != ActivityProto.ACTIVITY_ACTIVE && a != ActivityProto.ACTIVITY_FAILED;
            case ONLINE -> a == ActivityProto.ACTIVITY_ACTIVE;
            case RELEASING -> !r.getReleased();
            case OFFLINE, FAILED -> true;
        };
    }

    /** Whether a command with this wall time would expire a failure record or a counted failover (expireFailures). */
    static boolean failuresExpire(Topology topology, ClusterState s, long nowWallMs) {
        if (nowWallMs <= 0) {
            return false;
        }
        for (GroupState g : s.groups.values()) {
            GroupPolicy p = topology.policy(g.name);
            if (g.failoverWallMs.stream().anyMatch(t -> !p.countsFailover(t, nowWallMs))
                    || g.failures.values().stream().anyMatch(f -> p.expired(f.wallTimeMs(), nowWallMs))) {
                return true;
            }
        }
        return false;
    }

    /** One application of one command: holds what every rule needs, so the rules stay short. */
    private final class Apply {
        final ClusterState s;
        final Command cmd;
        final long logIndex;
        /** The topology {@code s} runs by when the command is applied. */
        final Topology topology;

        Apply(ClusterState s, Command cmd, long logIndex) {
            this.s = s;
            this.cmd = cmd;
            this.logIndex = logIndex;
            this.topology = topology(s);
        }

        // ---- heartbeats: liveness, observed state, and the transitions owners report ----

        CommandResult heartbeat(Heartbeat hb) throws Refusal {
            NodeState n = knownNode(hb.getNode());
            if (n.assignedIncarnation != 0 && hb.getIncarnation() != n.assignedIncarnation) {
                // A previous process's late heartbeat, or a forged one: it must not count as the node
                // being alive, nor confirm a lease, nor make the real process's reports look old.
                throw new Refusal(ResultCode.RESULT_STALE, "heartbeat of node '" + n.id + "' from incarnation "
                        + hb.getIncarnation() + "; its current incarnation is " + n.assignedIncarnation);
            }
            if (!n.alive) {
                n.alive = true;
                event("node-up", "", n.id, 0, "heartbeat received");
            }
            n.lastHeartbeatWallMs = cmd.getWallTimeMs();
            boolean restarted = hb.getIncarnation() > n.incarnation;
            boolean newer = restarted || (hb.getIncarnation() == n.incarnation && hb.getSeq() > n.seq);
            if (newer) {
                n.incarnation = hb.getIncarnation();
                n.seq = hb.getSeq();
                replicaLag(n, hb.getAppliedIndex());
                n.certificateNotAfterMs = hb.getCertificateNotAfterMs();
                n.caNotAfterMs = hb.getCaNotAfterMs();
                if (s.protocolVersion() >= Protocol.CONFIG_HASH) {
                    n.configHash = hb.getConfigHash();
                }
                if (s.protocolVersion() >= Protocol.CONFIG_APPLY) {
                    n.configVersion = hb.getConfigVersion();
                }
                n.protocolSupported = hb.getProtocolVersion();
                for (GroupReport r : hb.getReportsList()) {
                    report(n.id, r, restarted);
                }
            }
            return held(s, n.id);
        }

        /**
         * A node's process asks for its incarnation before its first heartbeat: the node's counter grows by
         * one, and from now on only heartbeats of the new incarnation count. The same boot id again (a
         * retry whose first try committed) gets the same answer and changes nothing.
         */
        CommandResult incarnate() throws Refusal {
            var c = cmd.getIncarnate();
            NodeState n = knownNode(c.getNode());
            if (c.getBoot() == 0) {
                throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT, "incarnate of node '" + n.id + "' without a boot id");
            }
            if (n.assignedIncarnation == 0 || n.boot != c.getBoot()) {
                n.assignedIncarnation++;
                n.boot = c.getBoot();
                // No heartbeat of the new incarnation yet: its first one is newer whatever its seq, and
                // its report counters start at zero.
                n.incarnation = 0;
                n.seq = 0;
            }
            return CommandResult.newBuilder().setCode(ResultCode.RESULT_OK).setIncarnation(n.assignedIncarnation)
                    .setMessage("node '" + n.id + "' is at incarnation " + n.assignedIncarnation).build();
        }

        /** Whether the node's own replica keeps up with the log; a change is an event. */
        private void replicaLag(NodeState n, long appliedIndex) {
            ReplicaLag.Observed o = ReplicaLag.observe(n.lag, appliedIndex, logIndex);
            n.lag = o.state();
            if (o.change() == ReplicaLag.Change.BEHIND) {
                event("replica-behind", "", n.id, 0, "its replica is " + o.state().lag() + " entries behind the log in "
                        + o.state().laggingInARow() + " heartbeats in a row: granted nothing until it catches up");
            } else if (o.change() == ReplicaLag.Change.CAUGHT_UP) {
                event("replica-caught-up", "", n.id, 0, "its replica is " + o.state().lag() + " entries behind the log");
            }
        }

        /** {@code restarted}: the report is the first of a new incarnation, whose counters start at zero. */
        private void report(String node, GroupReport r, boolean restarted) {
            GroupState g = s.groups.get(r.getGroup());
            if (g == null || !isMember(g.name, node)) {
                return;
            }
            for (ReportEvents.Emitted e : ReportEvents.between(g.reports.get(node), r, restarted)) {
                event(e.kind(), g.name, node, r.getEpoch(), e.message());
            }
            g.reports.put(node, r);
            if (!node.equals(g.owner) || r.getEpoch() != g.epoch) {
                return;
            }
            ActivityProto activity = r.getActivity();
            // Core.settled says when this switch does nothing: keep the two in step.
            switch (g.phase) {
                case STARTING -> {
                    if (activity == ActivityProto.ACTIVITY_ACTIVE) {
                        g.phase = Phase.ONLINE;
                        event("online", g.name, node, g.epoch, "every resource is active");
                    } else if (activity == ActivityProto.ACTIVITY_FAILED) {
                        failedReport(g, node, r);
                    }
                }
                case ONLINE -> {
                    if (activity == ActivityProto.ACTIVITY_FAILED) {
                        failedReport(g, node, r);
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

        private void failedReport(GroupState g, String node, GroupReport r) {
            if (r.getMonitorFailed()) {
                monitorFailed(g, node, r.getMessage().isEmpty() ? "a monitor failed" : r.getMessage());
            } else {
                failed(g, node, r.getMessage().isEmpty() ? "activation failed" : r.getMessage());
            }
        }

        /** A failed activation: the controller tries the next eligible member (none: the group waits FAILED). */
        private void failed(GroupState g, String node, String why) {
            recordFailure(g, node, why);
            g.owner = null;
            g.moveTarget = null;
            g.phase = Phase.FAILED;
            event("failed", g.name, node, g.epoch, why);
        }

        /**
         * The owner stopped the group because a monitor failed and its local restarts were used up. Per the
         * group's policy: a failover (the controller starts it on the next eligible member), or, with
         * on_failure stop or once failover_max failovers happened within failover_within, a hold: FAILED,
         * started nowhere until an operator's start or clear.
         */
        private void monitorFailed(GroupState g, String node, String why) {
            GroupPolicy p = topology.policy(g.name);
            long now = cmd.getWallTimeMs();
            long recent = g.failoverWallMs.stream().filter(t -> p.countsFailover(t, now)).count();
            String hold = null;
            if (p.onFailure() == GroupPolicy.OnFailure.STOP) {
                hold = "on_failure stop: " + why;
            } else if (recent >= p.failoverMax()) {
                hold = "failover limit reached: " + recent + " failover" + (recent == 1 ? "" : "s") + " within "
                        + GroupPolicy.duration(p.failoverWithinMs()) + "; " + why;
            }
            recordFailure(g, node, why);
            g.owner = null;
            g.moveTarget = null;
            g.phase = Phase.FAILED;
            if (hold != null) {
                g.hold = hold;
                event("failed", g.name, node, g.epoch, hold);
            } else {
                g.failoverWallMs.add(now);
                event("failover", g.name, node, g.epoch, why);
            }
        }

        /** A new failure of {@code g} on {@code node}, stamped with this command's wall time (the newest last). */
        private void recordFailure(GroupState g, String node, String why) {
            g.failures.remove(node);
            g.failures.put(node, new Failure(node, cmd.getWallTimeMs(), why));
        }

        /** Failure records past the group's failure timeout expire; failovers outside its window stop counting. */
        void expireFailures() {
            long now = cmd.getWallTimeMs();
            if (now <= 0) {
                return;
            }
            for (GroupState g : s.groups.values()) {
                GroupPolicy p = topology.policy(g.name);
                g.failoverWallMs.removeIf(t -> !p.countsFailover(t, now));
                for (Failure f : List.copyOf(g.failures.values())) {
                    if (p.expired(f.wallTimeMs(), now)) {
                        g.failures.remove(f.node());
                        event("failure-expired", g.name, f.node(), g.epoch, "the failure on " + f.node() + " is "
                                + GroupPolicy.duration(p.failureTimeoutMs()) + " old (" + f.reason() + "): "
                                + f.node() + " is eligible again");
                    }
                }
            }
        }

        /** An operator's start, or a clear of every node: the group's failure history is forgotten. */
        private void forgetFailures(GroupState g) {
            g.failures.clear();
            g.failoverWallMs.clear();
            g.hold = null;
        }

        private void released(GroupState g, String node) {
            event("released", g.name, node, g.epoch, "every resource is stopped");
            String target = g.moveTarget;
            g.moveTarget = null;
            Optional<String> notGrantable = target == null ? Optional.empty()
                    : s.nodes.get(target).standby ? Optional.of("node '" + target + "' went into standby")
                    : ReplicaRules.whyNotGrantable(topology, g, target);
            if (notGrantable.isPresent()) {
                // The target was UpToDate when the move was accepted, but the owner recorded it behind
                // since: granting it now would lose writes. The controller picks an UpToDate node.
                g.owner = null;
                g.phase = Phase.OFFLINE;
                event("move-cancelled", g.name, target, g.epoch, notGrantable.get());
            } else if (target != null) {
                grantTo(g, target, "moved from " + node);
                g.moves++;
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
            // Likewise an operator's maintenance or standby, and a hold committed after the decision.
            requireNoMaintenance(g);
            if (g.hold != null) {
                throw new Refusal(ResultCode.RESULT_STALE, "group '" + g.name + "' is held failed: " + g.hold);
            }
            if (n.standby) {
                throw new Refusal(ResultCode.RESULT_STALE, "node '" + n.id + "' is in standby");
            }
            if (n.lag.behind()) {
                throw new Refusal(ResultCode.RESULT_STALE, replicaBehind(n));
            }
            if (s.configBehind(n.id)) {
                throw new Refusal(ResultCode.RESULT_STALE, "node '" + n.id + "' runs configuration version "
                        + n.configVersion + ", not yet " + s.configVersion());
            }
            if (!n.alive) {
                throw new Refusal(ResultCode.RESULT_STALE, "node '" + n.id + "' is down");
            }
            // The controller picks only UpToDate replicas, but the owner may have recorded this one
            // behind after the decision.
            requireGrantable(g, n, ResultCode.RESULT_STALE);
            // The controller grants a group that has an owner only once that owner's lease ran out.
            boolean takeover = g.owner != null;
            grantTo(g, n.id, c.getReason());
            if (takeover) {
                g.takeovers++;
            }
            return ok("granted " + g.name + " to " + n.id, g.epoch);
        }

        CommandResult revoke() throws Refusal {
            var c = cmd.getRevoke();
            GroupState g = knownGroup(c.getGroup());
            requireUnchanged(g, c.getExpectedEpoch(), c.getOwnerIncarnation(), c.getOwnerSeq());
            requireNoMaintenance(g);
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
        private void requireNoMaintenance(GroupState g) throws Refusal {
            if (g.maintenance) {
                throw new Refusal(ResultCode.RESULT_STALE, "group '" + g.name + "' is in maintenance");
            }
        }

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
            requireNotStandby(to);
            if (c.getFailbackEpoch() != 0) {
                requireStillOnlineElsewhere(g, to, c.getFailbackEpoch());
            }
            if (g.adminStopped) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, "group '" + g.name
                        + "' is stopped; start it there with 'batonctl start " + g.name + " --on " + to.id + "'");
            }
            if (to.id.equals(g.owner) && g.phase != Phase.RELEASING) {
                return ok(g.name + " is already on " + to.id, g.epoch);
            }
            requireGrantable(g, to, c.getFailbackEpoch() != 0 ? ResultCode.RESULT_STALE : ResultCode.RESULT_FAILED_PRECONDITION);
            event("move", g.name, to.id, g.epoch, c.getFailbackEpoch() != 0
                    ? "failback: " + to.id + " is preferred and has been eligible for "
                            + GroupPolicy.duration(topology.policy(g.name).failbackAfterMs())
                    : "operator moves " + g.name + " to " + to.id);
            g.failures.remove(to.id);
            moveTo(g, to.id);
            return ok(g.phase == Phase.RELEASING
                    ? "moving " + g.name + " from " + g.owner + " to " + to.id
                    : "starting " + g.name + " on " + to.id, g.epoch);
        }

        /**
         * The controller's failback decided on {@code epoch}: it stands only while the group is still ONLINE
         * there on another node and not in maintenance, so it never overrides an operator's move or stop.
         */
        private void requireStillOnlineElsewhere(GroupState g, NodeState to, long epoch) throws Refusal {
            if (g.phase != Phase.ONLINE || g.epoch != epoch || to.id.equals(g.owner)) {
                throw new Refusal(ResultCode.RESULT_STALE, "failback of '" + g.name + "' decided at epoch " + epoch
                        + "; the group is now " + g.phase.name().toLowerCase() + " at epoch " + g.epoch
                        + (g.owner == null ? "" : " on " + g.owner));
            }
            requireNoMaintenance(g);
        }

        CommandResult start() throws Refusal {
            var c = cmd.getStart();
            GroupState g = knownGroup(c.getGroup());
            NodeState on = null;
            if (!c.getOn().isEmpty()) {
                on = eligibleMember(g, c.getOn());
                requireAlive(on);
                requireNotStandby(on);
                requireGrantable(g, on, ResultCode.RESULT_FAILED_PRECONDITION);
            }
            boolean wasStopped = g.adminStopped;
            g.adminStopped = false;
            forgetFailures(g);
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

        /**
         * Maintenance on one group (every group when the name is empty): the controller leaves it alone (no
         * automatic start, takeover, revoke or failback); operators' commands still work. Safety does not
         * pause: an owner that loses its lease still fences.
         */
        CommandResult maintenance() throws Refusal {
            var c = cmd.getSetMaintenance();
            List<GroupState> groups = c.getGroup().isEmpty() ? List.copyOf(s.groups.values())
                    : List.of(knownGroup(c.getGroup()));
            String onOff = c.getOn() ? "on" : "off";
            List<String> changed = new ArrayList<>();
            for (GroupState g : groups) {
                if (g.maintenance != c.getOn()) {
                    g.maintenance = c.getOn();
                    changed.add(g.name);
                    event("maintenance", g.name, "", g.epoch, "maintenance " + onOff);
                }
            }
            long epoch = groups.size() == 1 ? groups.get(0).epoch : 0;
            if (changed.isEmpty()) {
                return ok((c.getGroup().isEmpty() ? "every group is" : c.getGroup() + " is") + " already "
                        + (c.getOn() ? "in" : "out of") + " maintenance", epoch);
            }
            return ok("maintenance " + onOff + " for " + String.join(", ", changed), epoch);
        }

        /**
         * A node into standby: eligible for no group. Every group it owns (starting or online) first moves to
         * its most preferred other member that is up, not in standby, without a failure record and grantable;
         * if any of them has none, the whole command is refused and nothing changes. Out of standby: eligible again.
         */
        CommandResult standby() throws Refusal {
            var c = cmd.getNodeStandby();
            NodeState n = knownNode(c.getNode());
            if (witness(n.id)) {
                throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT,
                        "node '" + n.id + "' is a witness: it owns no group, so standby does not apply");
            }
            if (!c.getStandby()) {
                if (!n.standby) {
                    return ok(n.id + " is not in standby", 0);
                }
                n.standby = false;
                event("online", "", n.id, 0, n.id + " is out of standby: eligible for groups again");
                return ok(n.id + " is online: eligible for groups again", 0);
            }
            if (n.standby) {
                return ok(n.id + " is already in standby", 0);
            }
            Map<GroupState, String> moves = new LinkedHashMap<>();
            for (GroupState g : s.groups.values()) {
                if (n.id.equals(g.owner) && g.phase.allowsActivity()) {
                    moves.put(g, standbyTarget(g, n.id));
                }
            }
            n.standby = true;
            String moving = moves.entrySet().stream().map(m -> m.getKey().name + " to " + m.getValue())
                    .collect(Collectors.joining(", "));
            event("standby", "", n.id, 0, n.id + " in standby" + (moves.isEmpty() ? "; it owns no group" : "; moving " + moving));
            moves.forEach((g, target) -> {
                event("move", g.name, target, g.epoch, n.id + " goes into standby: moving " + g.name + " to " + target);
                moveTo(g, target);
            });
            return ok(n.id + " is in standby" + (moves.isEmpty() ? " (it owns no group)" : "; moving " + moving), 0);
        }

        /** Where {@code g} goes when {@code leaving} goes into standby; refused, naming each member's reason, if nowhere. */
        private String standbyTarget(GroupState g, String leaving) throws Refusal {
            List<String> why = new ArrayList<>();
            for (String m : topology.group(g.name).map(Topology.GroupSpec::members).orElse(List.of())) {
                if (m.equals(leaving) || witness(m)) {
                    continue;
                }
                NodeState n = s.nodes.get(m);
                Optional<String> notGrantable = ReplicaRules.whyNotGrantable(topology, g, m);
                if (n == null || !n.alive) {
                    why.add(m + " is down");
                } else if (n.standby) {
                    why.add(m + " is in standby");
                } else if (g.failures.containsKey(m)) {
                    why.add(g.name + " failed on " + m + " (" + g.failures.get(m).reason() + ")");
                } else if (notGrantable.isPresent()) {
                    why.add(notGrantable.get());
                } else {
                    return m;
                }
            }
            throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, "node '" + leaving + "' cannot go into standby:"
                    + " group '" + g.name + "' has no other member to move to ("
                    + (why.isEmpty() ? "it has no other member" : String.join("; ", why))
                    + "); move or stop it first");
        }

        /**
         * Forgets failures of a group: on one node, or on every node (then the failover count too). Ends a
         * hold; a FAILED group with no owner goes OFFLINE so the controller starts it again (unless stopped).
         */
        /** Whether {@code node}'s last report says it gave up retrying a failing stop of {@code g}. */
        private boolean stopStuck(GroupState g, String node) {
            GroupReport r = g.reports.get(node);
            return r != null && r.getWarningsList().stream().anyMatch(w -> w.startsWith("stop-stuck"));
        }

        CommandResult clearFailures() throws Refusal {
            var c = cmd.getClearFailures();
            GroupState g = knownGroup(c.getGroup());
            String node = c.getNode().isEmpty() ? null : eligibleMember(g, c.getNode()).id;
            boolean records = node == null ? !g.failures.isEmpty() || !g.failoverWallMs.isEmpty()
                    : g.failures.containsKey(node);
            boolean restart = g.phase == Phase.FAILED && g.owner == null;
            String which = g.name + (node == null ? "" : " on " + node);
            // Counted even when no record changes: an owner that gave up on a failing stop retries on it.
            g.clears++;
            if (!records && g.hold == null && !restart) {
                if (g.owner != null && stopStuck(g, g.owner)) {
                    return ok(g.owner + " retries the stop of " + g.name, g.epoch);
                }
                return ok("nothing to clear: no failure of " + which + " is recorded", g.epoch);
            }
            if (node == null) {
                forgetFailures(g);
            } else {
                g.failures.remove(node);
                g.hold = null;
            }
            if (restart) {
                g.phase = Phase.OFFLINE;
            }
            String then = !restart ? "" : g.adminStopped ? "; it stays stopped until started"
                    : "; it will start on the first eligible node";
            event("cleared", g.name, node == null ? "" : node, g.epoch, "operator clears the failures of " + which + then);
            return ok("cleared the failures of " + which + then, g.epoch);
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
            requireNotStandby(on);
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
            forgetFailures(g);
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

        /**
         * The leader delivered the events up to a seq to the alerts. The cursor only moves forward
         * and never past the last event; it makes no event of its own (that would be alerted again).
         */
        /**
         * The leader raises the protocol version: refused (changing nothing) by a build that does not
         * speak it, and when it would not go up.
         */
        CommandResult setProtocol() throws Refusal {
            int version = cmd.getSetProtocol().getVersion();
            if (version > Protocol.THIS_BUILD) {
                throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT, "protocol version " + version
                        + " is newer than this build's " + Protocol.THIS_BUILD);
            }
            if (version <= s.protocolVersion()) {
                throw new Refusal(ResultCode.RESULT_STALE, "protocol version is " + s.protocolVersion() + " already");
            }
            event("protocol", "", "", 0, "protocol version " + s.protocolVersion() + " -> " + version
                    + ": every node's build speaks it");
            s.protocolVersion = version;
            return ok("protocol version " + version, 0);
        }

        /**
         * An operator's membership change, one step of it (see {@link Membership}): only from protocol
         * {@link Protocol#MEMBERSHIP} on, only at the version the proposer read, and only if it keeps
         * every group's owner and move target a member and leaves at least three nodes.
         */
        CommandResult setMembership() throws Refusal {
            var c = cmd.getSetMembership();
            if (s.protocolVersion() < Protocol.MEMBERSHIP) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, "the cluster speaks protocol "
                        + s.protocolVersion() + "; membership changes need " + Protocol.MEMBERSHIP
                        + ": upgrade every node first (docs/upgrade.md)");
            }
            long version = Membership.version(s);
            if (c.getExpectedVersion() != version) {
                throw new Refusal(ResultCode.RESULT_STALE, "the membership changed meanwhile: it is at version " + version
                        + ", not " + c.getExpectedVersion() + "; read it again");
            }
            var next = c.getMembership().toBuilder().setVersion(version + 1).build();
            Optional<String> why = Membership.whyNot(s, topology, next);
            if (why.isPresent()) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, why.get());
            }
            Membership.apply(s, topology, next);
            String nodes = next.getNodesList().stream().map(n -> n.getId()).collect(Collectors.joining(", "));
            String reason = c.getReason().isEmpty() ? "membership changed" : c.getReason();
            event("membership", "", "", 0, reason + " (membership version " + next.getVersion() + "; nodes: " + nodes + ")");
            return ok(reason + ": membership version " + next.getVersion(), 0);
        }

        /**
         * An operator's configuration change (see {@link ConfigChange}): only from protocol
         * {@link Protocol#CONFIG_APPLY} on, only at the version the proposer read, and only if every
         * group it removes or rebuilds is offline and every owner and move target stays a member.
         */
        CommandResult applyConfig() throws Refusal {
            var c = cmd.getApplyConfig();
            if (s.protocolVersion() < Protocol.CONFIG_APPLY) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, "the cluster speaks protocol "
                        + s.protocolVersion() + "; config apply needs " + Protocol.CONFIG_APPLY
                        + ": upgrade every node first (docs/upgrade.md)");
            }
            long version = s.configVersion();
            if (c.getExpectedVersion() != version) {
                throw new Refusal(ResultCode.RESULT_STALE, "the configuration changed meanwhile: it is at version "
                        + version + ", not " + c.getExpectedVersion() + "; read it again");
            }
            var next = c.getConfig().toBuilder().setVersion(version + 1).build();
            Optional<String> why = ConfigChange.whyNot(s, topology, next, c.getOfflineRequiredList());
            if (why.isPresent()) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, why.get());
            }
            ConfigChange.apply(s, next);
            String summary = c.getSummary().isEmpty() ? "configuration applied" : c.getSummary();
            event("config", "", "", 0, "configuration version " + next.getVersion() + " applied: " + summary);
            return ok("configuration version " + next.getVersion() + " applied", 0);
        }

        CommandResult alertsDelivered() throws Refusal {
            long through = cmd.getAlertsDelivered().getThroughSeq();
            if (through >= s.nextEventSeq) {
                throw new Refusal(ResultCode.RESULT_INVALID_ARGUMENT, "alert cursor " + through
                        + " is past the last event, " + (s.nextEventSeq - 1));
            }
            if (through <= s.alertsDeliveredSeq) {
                throw new Refusal(ResultCode.RESULT_STALE, "alerts already delivered through " + s.alertsDeliveredSeq);
            }
            s.alertsDeliveredSeq = through;
            return ok("alerts delivered through " + through, 0);
        }

        private void grantTo(GroupState g, String node, String reason) {
            g.owner = node;
            g.epoch++;
            g.phase = Phase.STARTING;
            g.moveTarget = null;
            g.hold = null;
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

        private void requireNotStandby(NodeState n) throws Refusal {
            if (n.standby) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, "node '" + n.id + "' is in standby; 'batonctl node online "
                        + n.id + "' first");
            }
            if (n.lag.behind()) {
                throw new Refusal(ResultCode.RESULT_FAILED_PRECONDITION, replicaBehind(n));
            }
        }

        private String replicaBehind(NodeState n) {
            return "node '" + n.id + "' has a replica " + n.lag.lag() + " entries behind the log: it would not see the grant"
                    + " until it catches up";
        }

        private boolean witness(String node) {
            return topology.node(node).map(Topology.NodeSpec::witness).orElse(false);
        }

        private boolean isMember(String group, String node) {
            return topology.group(group).map(g -> g.members().contains(node)).orElse(false);
        }

        private String members(String group) {
            return topology.group(group).map(g -> g.members().stream().collect(Collectors.joining(", "))).orElse("");
        }

        private CommandResult ok(String message, long epoch) {
            return CommandResult.newBuilder().setCode(ResultCode.RESULT_OK).setMessage(message).setEpoch(epoch).build();
        }

        private void event(String kind, String group, String node, long epoch, String message) {
            s.addEvent(Event.newBuilder().setKind(kind).setGroup(group).setNode(node).setEpoch(epoch)
                    .setMessage(message).setWallTimeMs(cmd.getWallTimeMs()).setLogIndex(logIndex)
                    .setCaller(caller()));
        }

        /** The operator who proposed the command, "NAME (ROLE)", for the audit trail; empty for the cluster's own. */
        private String caller() {
            if (!cmd.hasCaller() || cmd.getCaller().getName().isEmpty()) {
                return "";
            }
            return cmd.getCaller().getName() + " (" + cmd.getCaller().getRole() + ")";
        }
    }

}

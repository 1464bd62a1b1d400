package io.baton.coordinator.core;

import io.baton.proto.Command;
import io.baton.proto.Grant;
import io.baton.proto.MoveGroup;
import io.baton.proto.NodeLiveness;
import io.baton.proto.Revoke;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The leader-side controller: a plain function of (state, the leader's liveness view, now) to the
 * commands the leader should propose. It never changes state itself; proposals are validated again
 * when applied (a {@code Grant} carries the epoch it was decided on, so a stale one is refused).
 *
 * <p>Rules:
 * <ul>
 *   <li>A node not heard for a lease is proposed down (for display and eligibility).</li>
 *   <li>An owner whose last confirmation is older than lease·(1+ρ)+margin has stopped by its own
 *       lease rule; its group goes to the first eligible member in preference order (the move
 *       target first, if a move was under way), or is revoked if there is none.</li>
 *   <li>A group with no owner that is not stopped or held goes to the first eligible member; during
 *       the first lease of a leadership, only to the most preferred one.</li>
 *   <li>A group in maintenance is left alone: no start, takeover, revoke or failback.</li>
 *   <li>With failback AUTO, a group ONLINE on a member other than the most preferred eligible one moves
 *       back there once that member has been eligible without interruption for failback_after (see
 *       {@link #decide(ClusterState, Liveness, FailbackWatch, long)}).</li>
 * </ul>
 * Eligible: a data member of the group, alive in the committed state, not in standby, without a failure
 * record for the group, heard recently by this leader, and, for a mirrored group, with an UpToDate replica
 * (or any member for a new disk's first grant).
 * With no eligible node the group waits offline: an Outdated replica is granted only by an operator's
 * force-activate.
 */
public final class Controller {
    /** The cluster file's topology; a state with an operator's membership runs by that instead. */
    private final Topology fileTopology;
    private final Timing timing;

    public Controller(Topology topology, Timing timing) {
        this.fileTopology = topology;
        this.timing = timing;
    }

    private Topology topology(ClusterState state) {
        return state.topology(fileTopology);
    }

    public Timing timing() {
        return timing;
    }

    /**
     * The witness this leader should hand its leadership to, if any: every data node that leads asks
     * for it. An owner's crash would cost an election before the lease wait could even start
     * (PROTOCOL.md: prefer a leader that owns nothing); a standby's crash would cost an election
     * during which the owner's heartbeats cannot commit and its lease keeps running down. Ratis
     * priorities prefer the witness but yield only when the leader's event queue has been quiet for a
     * whole election timeout with the witness matching its last entry, which a log growing a dozen
     * entries a second rarely shows: a standby leader once stayed leader for more than 30 s with the
     * witness up. The witness must have been heard recently by this leader.
     */
    public Optional<String> leaderToPrefer(ClusterState state, String self, Liveness liveness, long nowNanos) {
        if (topology(state).node(self).map(Topology.NodeSpec::witness).orElse(false)) {
            return Optional.empty();
        }
        return topology(state).nodes().stream().filter(Topology.NodeSpec::witness).map(Topology.NodeSpec::id)
                .filter(w -> state.node(w).map(NodeState::alive).orElse(false))
                .filter(w -> heardRecently(liveness, w, nowNanos))
                .findFirst();
    }

    /** A leader repairs a follower's replication at most this often, and only after leading this long. */
    public static final long REPAIR_EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

    /**
     * How a leader repairs a follower's replication: hands its leadership to {@code handTo}, or (empty)
     * steps down, so that an election makes a leader again, perhaps this very server, with new log
     * appenders either way.
     */
    public record Repair(Optional<String> handTo) {
        public static Repair handTo(String node) {
            return new Repair(Optional.of(node));
        }

        public static Repair stepDown() {
            return new Repair(Optional.empty());
        }
    }

    /**
     * Whether this leader should give up its leadership so that a follower whose replica stays behind
     * gets fresh log appenders, and how. A replica that stays behind under this leader means the
     * leader's log appender for it makes no progress (one that died stays dead, RATIS-1707); a new
     * leader starts new ones, with the snapshot if the follower needs it. Only for a follower that is up
     * and heard and that this leader has seen behind for {@link #REPAIR_EVERY_NANOS} ({@code behind}), at
     * most once per that time, and only once this leader has led that long: a follower that lags in a
     * burst of entries or catches up after a restart gets time to finish before the cluster pays for an
     * election.
     *
     * <p>Ratis hands a leadership only to a peer of the highest Raft priority, and the witness has the
     * highest (RaftNode): so to the witness if it is another server, up, heard and not behind; else this
     * leader steps down. A witness that steps down is elected again (a data node cannot win a vote
     * against its priority while it answers), with new appenders; a data node that steps down leaves the
     * election to whoever can win it.
     */
    public Optional<Repair> replicationToRepair(ClusterState state, String self, Liveness liveness,
                                                BehindFollowers behind, long lastRepairNanos, long nowNanos) {
        if (nowNanos - liveness.leaderSinceNanos() < REPAIR_EVERY_NANOS || nowNanos - lastRepairNanos < REPAIR_EVERY_NANOS) {
            return Optional.empty();
        }
        // Only a follower that is up and heard: its heartbeats arrive while its replica stays behind. One
        // that is down keeps its last lag in the state, and an election would not bring it back.
        boolean followerBehind = topology(state).nodes().stream().map(Topology.NodeSpec::id)
                .filter(n -> !n.equals(self))
                .filter(n -> state.node(n).map(ns -> ns.alive() && ns.replicaBehind()).orElse(false))
                .filter(n -> heardRecently(liveness, n, nowNanos))
                .anyMatch(n -> behind.since(n).stream().anyMatch(t -> nowNanos - t >= REPAIR_EVERY_NANOS));
        if (!followerBehind) {
            return Optional.empty();
        }
        return Optional.of(topology(state).nodes().stream()
                .filter(Topology.NodeSpec::witness)
                .map(Topology.NodeSpec::id)
                .filter(n -> !n.equals(self))
                .filter(n -> state.node(n).map(ns -> ns.alive() && !ns.replicaBehind()).orElse(false))
                .filter(n -> heardRecently(liveness, n, nowNanos))
                .findFirst().map(Repair::handTo).orElse(Repair.stepDown()));
    }

    /** What to propose now, and the failback memory to pass to the next decision. */
    public record Decision(List<Command> commands, FailbackWatch failback) {
        public Decision {
            commands = List.copyOf(commands);
        }
    }

    /**
     * {@link #decide(ClusterState, Liveness, long)}, plus automatic failback: for each group with failback
     * AUTO that is ONLINE on an owner heard recently, not in maintenance, the most preferred eligible member
     * ranked before the owner is watched; once it has been eligible for the group's failback_after without
     * interruption (as this leader saw it, on {@code nowNanos}'s clock), a Move back is proposed, once per
     * watch. The move carries the epoch it was decided on: the core refuses it if anything changed.
     */
    public Decision decide(ClusterState state, Liveness liveness, FailbackWatch failback, long nowNanos) {
        List<Command> out = new ArrayList<>(decide(state, liveness, nowNanos));
        Map<String, FailbackWatch.Watch> next = new HashMap<>();
        for (GroupState g : state.groups.values()) {
            Optional<String> target = failbackTarget(state, g, liveness, nowNanos);
            if (target.isEmpty()) {
                continue;
            }
            FailbackWatch.Watch was = failback.byGroup().get(g.name);
            FailbackWatch.Watch watch = was != null && was.node().equals(target.get()) && was.epoch() == g.epoch
                    ? was : new FailbackWatch.Watch(target.get(), g.epoch, nowNanos, false);
            long afterNanos = topology(state).policy(g.name).failbackAfterMs() * 1_000_000L;
            if (!watch.proposed() && nowNanos - watch.sinceNanos() >= afterNanos) {
                out.add(Command.newBuilder().setMove(MoveGroup.newBuilder().setGroup(g.name).setTo(watch.node())
                        .setFailbackEpoch(g.epoch)).build());
                watch = new FailbackWatch.Watch(watch.node(), watch.epoch(), watch.sinceNanos(), true);
            }
            next.put(g.name, watch);
        }
        return new Decision(out, new FailbackWatch(next));
    }

    /**
     * The earliest instant after {@code nowNanos} at which {@link #decide(ClusterState, Liveness, FailbackWatch, long)},
     * {@link #leaderToPrefer} or {@link #replicationToRepair} (its own {@code behind} and {@code lastRepairNanos} aside) could
     * answer otherwise than now, if state, liveness and failback memory stay as given; {@code Long.MAX_VALUE}
     * if none is ahead. Time enters those decisions only as "at least X since t" with t one of a node's last
     * confirmation or hearing, the leadership's start or a failback watch's start, so each such t + X is
     * a candidate and the answer is the nearest one ahead: the leader need not decide again before it
     * unless an input changes. Sooner is only more work; later would miss a lease (ControllerDeadlineTest).
     */
    public long nextDecisionAt(ClusterState state, Liveness liveness, FailbackWatch failback, long nowNanos) {
        NextInstant next = new NextInstant(nowNanos);
        Set<String> nodes = new HashSet<>(state.nodes.keySet());
        nodes.addAll(liveness.lastHeardNanos().keySet());
        topology(state).nodes().forEach(n -> nodes.add(n.id()));
        for (String n : nodes) {
            long confirmed = liveness.lastConfirmed(n);
            next.offer(confirmed + timing.leaseNanos());
            next.offer(confirmed + timing.takeoverAfterNanos());
            liveness.lastHeard(n).ifPresent(t -> next.offer(t + timing.eligibleWithinNanos()));
        }
        next.offer(liveness.leaderSinceNanos() + timing.leaseNanos());
        next.offer(liveness.leaderSinceNanos() + REPAIR_EVERY_NANOS);
        failback.byGroup().forEach((group, watch) -> {
            if (!watch.proposed()) {
                next.offer(watch.sinceNanos() + topology(state).policy(group).failbackAfterMs() * 1_000_000L);
            }
        });
        return next.at();
    }

    /**
     * Whether confirming a node last heard at {@code lastHeard} (empty: never) at {@code nowNanos} can change
     * a decision: only if it had gone unheard for the shortest interval a decision compares with
     * (eligibleWithin, at most the lease). A node heard more recently was eligible and within its lease
     * before and stays so: the leader need not decide again for it.
     */
    public boolean confirmationMatters(OptionalLong lastHeard, long nowNanos) {
        return lastHeard.isEmpty() || nowNanos - lastHeard.getAsLong() >= timing.eligibleWithinNanos();
    }

    /** The smallest instant offered that lies after {@code after}. */
    private static final class NextInstant {
        private final long after;
        private long at = Long.MAX_VALUE;

        NextInstant(long after) {
            this.after = after;
        }

        void offer(long instant) {
            if (instant > after && instant < at) {
                at = instant;
            }
        }

        long at() {
            return at;
        }
    }

    /** The member {@code g} should fail back to now, if its policy asks for failback and one is eligible. */
    private Optional<String> failbackTarget(ClusterState state, GroupState g, Liveness liveness, long now) {
        if (topology(state).policy(g.name).failback() != GroupPolicy.Failback.AUTO || g.maintenance || g.adminStopped
                || g.phase != Phase.ONLINE || g.owner == null || !heardRecently(liveness, g.owner, now)) {
            return Optional.empty();
        }
        List<String> members = topology(state).group(g.name).map(Topology.GroupSpec::members).orElse(List.of());
        return members.stream().takeWhile(n -> !n.equals(g.owner))
                .filter(n -> eligible(state, g, liveness, now, n)).findFirst();
    }

    private boolean heardRecently(Liveness liveness, String node, long now) {
        return liveness.lastHeard(node).stream().anyMatch(t -> now - t < timing.eligibleWithinNanos());
    }

    /** The commands to propose now; their wall time is left for the caller to stamp. */
    public List<Command> decide(ClusterState state, Liveness liveness, long nowNanos) {
        List<Command> out = new ArrayList<>();
        for (NodeState n : state.nodes.values()) {
            long silentSince = liveness.lastConfirmed(n.id);
            if (n.alive && nowNanos - silentSince >= timing.leaseNanos()) {
                out.add(Command.newBuilder()
                        .setLiveness(NodeLiveness.newBuilder().setNode(n.id).setAlive(false)).build());
            }
        }
        for (GroupState g : state.groups.values()) {
            decideGroup(state, g, liveness, nowNanos).ifPresent(out::add);
        }
        protocolRaise(state).ifPresent(out::add);
        return out;
    }

    /** A higher protocol version once every node's build speaks it (as its last heartbeat said). */
    private Optional<Command> protocolRaise(ClusterState state) {
        List<Integer> spoken = topology(state).nodes().stream()
                .map(n -> state.node(n.id()).map(NodeState::protocolSupported).orElse(0)).toList();
        java.util.OptionalInt to = Protocol.raiseTo(state.protocolVersion(), spoken);
        return to.isPresent()
                ? Optional.of(Command.newBuilder().setSetProtocol(io.baton.proto.SetProtocolVersion.newBuilder()
                        .setVersion(to.getAsInt())).build())
                : Optional.empty();
    }

    private Optional<Command> decideGroup(ClusterState state, GroupState g, Liveness liveness, long now) {
        if (g.maintenance) {
            // The operator works on the group: an owner whose lease runs out still fences itself, but
            // nobody else is started until maintenance ends.
            return Optional.empty();
        }
        if (g.owner != null) {
            if (now - liveness.lastConfirmed(g.owner) < timing.takeoverAfterNanos()) {
                return Optional.empty();
            }
            String why = "lease of " + g.owner + " expired";
            Optional<String> next = g.adminStopped ? Optional.empty() : pick(state, g, liveness, now, g.owner);
            NodeState owner = state.nodes.get(g.owner);
            return Optional.of(next.isPresent()
                    ? grant(g, owner, next.get(), why)
                    : revoke(g, owner, why + (g.adminStopped ? " while stopping" : "; no other node is eligible")));
        }
        if (g.adminStopped || g.held() || g.phase == Phase.RELEASING) {
            return Optional.empty();
        }
        String why = g.phase == Phase.FAILED
                ? "failed on " + String.join(", ", g.failedOn())
                : "automatic start";
        Optional<String> next = pick(state, g, liveness, now, null);
        if (next.isPresent() && !next.get().equals(firstChoice(state, g)) && now - liveness.leaderSinceNanos() < timing.leaseNanos()) {
            // Just after an election (as at cluster start) the preferred node may not have been heard
            // yet: give it a lease to show up before settling for a less preferred one.
            return Optional.empty();
        }
        if (next.isPresent() && g.epoch == 0 && catchingUpBefore(state, g, liveness, now, next.get())) {
            // A group an operator just added (batonctl config apply) waits for a more preferred member that
            // is up but not yet running the configuration that defines it, rather than settle elsewhere by
            // the followers' timing. Only a group never granted: a restart or failover never waits for it.
            return Optional.empty();
        }
        return next.map(node -> grant(g, null, node, why));
    }

    /** Whether a member ranked before {@code pick} is up and eligible but for running an older configuration. */
    private boolean catchingUpBefore(ClusterState state, GroupState g, Liveness liveness, long now, String pick) {
        List<String> members = topology(state).group(g.name).map(Topology.GroupSpec::members).orElse(List.of());
        for (String n : members) {
            if (n.equals(pick)) {
                return false;
            }
            if (state.configBehind(n) && eligibleButForConfig(state, g, liveness, now, n)) {
                return true;
            }
        }
        return false;
    }

    /** The most preferred member that has not failed the group, is not in standby and whose replica may be granted. */
    private String firstChoice(ClusterState state, GroupState g) {
        return topology(state).group(g.name).flatMap(spec -> spec.members().stream()
                .filter(n -> !g.failedOn(n))
                .filter(n -> !state.node(n).map(ns -> ns.standby() || ns.replicaBehind()).orElse(false))
                .filter(n -> !state.configBehind(n))
                .filter(n -> ReplicaRules.grantable(topology(state), g, n)).findFirst()).orElse(null);
    }

    /** The first eligible member, the move target first if one is set; never {@code exclude}. */
    private Optional<String> pick(ClusterState state, GroupState g, Liveness liveness, long now, String exclude) {
        List<String> order = new ArrayList<>();
        if (g.moveTarget != null) {
            order.add(g.moveTarget);
        }
        topology(state).group(g.name).ifPresent(spec -> order.addAll(spec.members()));
        return order.stream()
                .filter(n -> !n.equals(exclude))
                .filter(n -> eligible(state, g, liveness, now, n))
                .findFirst();
    }

    /**
     * A data member alive in the committed state, not in standby, without a failure record for {@code g},
     * heard recently by this leader, and, for a mirrored group, with a replica that may be granted (never an
     * Outdated or Inconsistent one, S3: the group waits instead).
     */
    private boolean eligible(ClusterState state, GroupState g, Liveness liveness, long now, String n) {
        return eligibleButForConfig(state, g, liveness, now, n) && !state.configBehind(n);
    }

    /** {@link #eligible} but for the configuration version the member runs. */
    private boolean eligibleButForConfig(ClusterState state, GroupState g, Liveness liveness, long now, String n) {
        return !g.failedOn(n)
                && ReplicaRules.grantable(topology(state), g, n)
                && topology(state).node(n).map(spec -> !spec.witness()).orElse(false)
                && state.node(n).map(ns -> ns.alive && !ns.standby && !ns.replicaBehind()).orElse(false)
                && heardRecently(liveness, n, now);
    }

    /** {@code owner}: the current owner as decided on, whose last heartbeat the grant must still match. */
    private static Command grant(GroupState g, NodeState owner, String node, String reason) {
        Grant.Builder b = Grant.newBuilder().setGroup(g.name).setNode(node).setExpectedEpoch(g.epoch).setReason(reason);
        if (owner != null) {
            b.setOwnerIncarnation(owner.incarnation).setOwnerSeq(owner.seq);
        }
        return Command.newBuilder().setGrant(b).build();
    }

    private static Command revoke(GroupState g, NodeState owner, String reason) {
        Revoke.Builder b = Revoke.newBuilder().setGroup(g.name).setExpectedEpoch(g.epoch).setReason(reason);
        if (owner != null) {
            b.setOwnerIncarnation(owner.incarnation).setOwnerSeq(owner.seq);
        }
        return Command.newBuilder().setRevoke(b).build();
    }
}

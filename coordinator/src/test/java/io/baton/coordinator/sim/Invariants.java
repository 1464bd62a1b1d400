package io.baton.coordinator.sim;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.ControllerRound;
import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.core.Phase;
import io.baton.coordinator.core.Replica;
import io.baton.coordinator.core.StateCodec;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.GroupStateProto;
import io.baton.proto.HeldGrant;
import io.baton.proto.NodeStateProto;
import io.baton.proto.ResultCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checkers, run after every event (S1, L1 progress) or at the step they are about (S3 at each
 * activation step, epochs at each commit, replica determinism at each apply).
 *
 * <ul>
 *   <li>S1: at most one node has a group's resources up (activating, active or deactivating: the disk
 *       may be writable in all three). A paused node does not count (the lab checks that a frozen
 *       process's probe port stops passing); when it resumes it counts at once, after its lease check.
 *   <li>S3: when a node starts activating a group and when its probe port opens, its lease (local
 *       time) is live and confirms the epoch it acts on, and that epoch is the latest committed one with
 *       the node as owner. The committed phase may be STARTING, ONLINE or also RELEASING: a lagging
 *       replica may not yet show a move or stop, which is harmless since nobody else gets the group
 *       before this owner released or its lease ran out.
 *   <li>Epochs never decrease, grow by one and only with a grant, and a new owner always comes with
 *       a new epoch.
 *   <li>S3 for mirror disks: a mirrored group is granted only to a node whose replica was UpToDate in
 *       committed state just before (or by a force-activate of an Outdated one, or the first grant of
 *       a new disk), and its owner is UpToDate when granted and whenever it activates.
 *   <li>Every replica reaches the authoritative state at every index (Core is deterministic).
 *   <li>L1: after the heal begins, every group is active on exactly one node, its committed owner,
 *       within {@link SimConfig#l1BoundNanos()}, and stays so.
 * </ul>
 */
final class Invariants {
    /** Thrown at the first violation; the simulation stops there. */
    static final class Violation extends RuntimeException {
        Violation(String message) {
            super(message, null, false, false);
        }
    }

    record GroupMark(String owner, long epoch, Map<String, Replica> replicas) {}

    private final Sim sim;
    private final List<Long> signatures = new ArrayList<>();
    private long lastUnconvergedNanos = -1;
    /** L2: per group, by when (true time) a crashed application must be healthy again somewhere. */
    private final Map<String, Long> appDeadlines = new java.util.TreeMap<>();
    private long lastConvergedSinceNanos = -1;

    Invariants(Sim sim) {
        this.sim = sim;
    }

    void fail(String message) {
        throw new Violation(message);
    }

    // ---- after every event ----

    void afterEvent() {
        for (GroupState g : sim.raft.state.groups()) {
            String holder = null;
            for (SimNode n : sim.nodes.values()) {
                if (n.up() && n.agent != null && n.agent.holds(g.name())) {
                    if (holder != null) {
                        fail("S1: group " + g.name() + " is up on both " + holder + " and " + n.id);
                    }
                    holder = n.id;
                }
            }
        }
        if (sim.healing) {
            trackConvergence();
        }
        checkL2();
    }

    // ---- L2: an application failure is followed by a healthy application somewhere ----

    /** An owner's application of {@code group} just crashed. */
    void appCrashed(String group) {
        appDeadlines.putIfAbsent(group, sim.scheduler.now() + SimConfig.l2BoundNanos());
    }

    /**
     * Each crash is followed, within {@link SimConfig#l2BoundNanos()}, by the group active and healthy
     * on exactly its committed owner; unless the policy says otherwise: no member is left that has not
     * failed it and whose replica may be granted (a mirrored group fails over only to an UpToDate
     * replica), so the group waits, failed.
     */
    private void checkL2() {
        for (var it = appDeadlines.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            GroupState g = sim.raft.state.group(e.getKey()).orElseThrow();
            List<String> members = sim.topology.group(g.name()).orElseThrow().members();
            if (activeOnOwner(g)) {
                it.remove();
            } else if (g.phase() == Phase.FAILED && members.stream().noneMatch(m -> !g.failedOn().contains(m)
                    && io.baton.coordinator.core.ReplicaRules.grantable(sim.topology, g, m))) {
                sim.stats.appsExhausted++;
                it.remove();
            } else if (sim.scheduler.now() > e.getValue()) {
                fail("L2: " + g.name() + "'s application crashed on its owner and is not healthy anywhere "
                        + (SimConfig.l2BoundNanos() / 1_000_000) + " ms later: " + convergenceReport());
            }
        }
    }

    private boolean activeOnOwner(GroupState g) {
        int active = 0;
        String on = null;
        for (SimNode n : sim.nodes.values()) {
            if (n.up() && n.agent != null && n.agent.active(g.name())) {
                active++;
                on = n.id;
            }
        }
        return active == 1 && on.equals(g.owner());
    }

    private void trackConvergence() {
        long now = sim.scheduler.now();
        if (converged()) {
            if (lastConvergedSinceNanos < 0) {
                lastConvergedSinceNanos = now;
            }
        } else {
            lastUnconvergedNanos = now;
            lastConvergedSinceNanos = -1;
        }
    }

    private boolean converged() {
        return sim.raft.state.groups().stream().allMatch(this::activeOnOwner);
    }

    /** At the end of the heal phase: converged within the bound and still so. */
    long checkL1(long healAtNanos) {
        long bound = SimConfig.l1BoundNanos();
        long took = Math.max(0, lastUnconvergedNanos - healAtNanos);
        if (lastUnconvergedNanos >= sim.scheduler.now() || lastConvergedSinceNanos < 0) {
            fail("L1: not converged at the end of the heal phase: " + convergenceReport());
        }
        if (took > bound) {
            fail("L1: converged only " + took / 1_000_000 + " ms after the heal began, bound "
                    + bound / 1_000_000 + " ms: " + convergenceReport());
        }
        return took;
    }

    private String convergenceReport() {
        StringBuilder b = new StringBuilder();
        for (GroupState g : sim.raft.state.groups()) {
            b.append(g.name()).append(" owner=").append(g.owner()).append(" e").append(g.epoch())
                    .append(' ').append(g.phase()).append(g.adminStopped() ? " stopped" : "")
                    .append(" failedOn=").append(g.failedOn()).append(" active on [");
            for (SimNode n : sim.nodes.values()) {
                if (n.up() && n.agent != null && n.agent.active(g.name())) {
                    b.append(n.id).append(' ');
                }
            }
            b.append("]; ");
        }
        return b.toString();
    }

    // ---- the probe port first, at each resource step ----

    /**
     * The load balancer never sees a node whose application is being started or stopped: when a
     * resource other than the probe port starts or stops, the group's probe port there is closed.
     */
    void resourceStep(SimNode n, SimAgent.Run r, int index, boolean start) {
        if (index != r.policy.probeIndex() && r.probe().state.mayBeUp()) {
            fail("probe port first: " + n.id + " " + (start ? "starts " : "stops ") + r.group + "/"
                    + r.resources.get(index).name + " while its probe port is open (" + n.agent.describe(r.group) + ")");
        }
    }

    // ---- S3, at each activation step ----

    void activating(SimNode n, String group, long epoch, String step) {
        Optional<HeldGrant> held = n.agent.lease.held(group, n.local());
        if (held.isEmpty() || held.get().getEpoch() != epoch) {
            fail("S3: " + n.id + " " + step + " " + group + " e" + epoch + " without a live lease on that epoch (lease: "
                    + held.map(h -> "e" + h.getEpoch()).orElse("none") + ")");
        }
        GroupState g = sim.raft.state.group(group).orElseThrow();
        boolean allowed = g.phase() == Phase.STARTING || g.phase() == Phase.ONLINE || g.phase() == Phase.RELEASING;
        if (!n.id.equals(g.owner()) || g.epoch() != epoch || !allowed) {
            fail("S3: " + n.id + " " + step + " " + group + " e" + epoch + " but the committed grant is "
                    + g.owner() + " e" + g.epoch() + " " + g.phase());
        }
        if (mirrored(group) && g.replica(n.id) != Replica.UP_TO_DATE) {
            fail("S3: " + n.id + " " + step + " mirrored " + group + " e" + epoch + " but its committed replica is "
                    + g.replica(n.id));
        }
    }

    // ---- at each commit ----

    List<GroupMark> beforeCommit() {
        List<GroupMark> marks = new ArrayList<>();
        for (GroupState g : sim.raft.state.groups()) {
            marks.add(new GroupMark(g.owner(), g.epoch(), g.replicas()));
        }
        return marks;
    }

    void committed(List<GroupMark> before, Command c, CommandResult r, long index) {
        if (!c.hasHeartbeat()) {
            sim.trace.add("raft", "commit #" + index + " " + describe(c) + " -> " + r.getCode().name().substring(7)
                    + (r.getMessage().isEmpty() ? "" : " (" + r.getMessage() + ")"));
        } else if (!r.getHeldList().isEmpty() || c.getHeartbeat().getReportsList().stream().anyMatch(x -> x.getReleased())) {
            sim.trace.add("raft", "commit #" + index + " heartbeat " + c.getHeartbeat().getNode() + " seq "
                    + c.getHeartbeat().getIncarnation() + "." + c.getHeartbeat().getSeq() + " held "
                    + r.getHeldList().stream().map(h -> h.getGroup() + " e" + h.getEpoch() + " " + h.getPhase().name().substring(6)).toList()
                    + " reports " + c.getHeartbeat().getReportsList().stream().map(x -> x.getGroup() + " e" + x.getEpoch() + " "
                    + x.getActivity().name().substring(9) + (x.getReleased() ? " released" : "")).toList());
        }
        // A round of controller decisions shares an entry (ControllerRound): each has its own result.
        List<Command> parts = ControllerRound.decisionsOf(c);
        List<CommandResult> partResults = ControllerRound.resultsOf(c, r);
        for (int p = 0; p < parts.size(); p++) {
            Command d = parts.get(p);
            CommandResult dr = partResults.get(p);
            if ((d.hasGrant() || d.hasRevoke()) && dr.getCode() == ResultCode.RESULT_STALE) {
                staleDecision(d);
            }
            // Honest nodes propose only what CommandAuthority allows them; only a decision that a former leader
            // made and the next leader appended may be refused (SimRaft drops those at a term change anyway).
            if (dr.getCode() == ResultCode.RESULT_PERMISSION_DENIED) {
                fail("an honest proposal refused at #" + index + ": " + describe(d) + " (" + dr.getMessage() + ")");
            }
        }
        List<GroupState> after = List.copyOf(sim.raft.state.groups());
        for (int i = 0; i < after.size(); i++) {
            GroupState g = after.get(i);
            GroupMark was = before.get(i);
            if (g.epoch() < was.epoch()) {
                fail("epoch of " + g.name() + " went back from " + was.epoch() + " to " + g.epoch());
            }
            if (g.epoch() > was.epoch() && (g.epoch() != was.epoch() + 1 || g.owner() == null || g.phase() != Phase.STARTING)) {
                fail("epoch of " + g.name() + " grew to " + g.epoch() + " without a grant: owner " + g.owner() + " " + g.phase());
            }
            if (g.owner() != null && !g.owner().equals(was.owner()) && g.epoch() == was.epoch()) {
                fail("owner of " + g.name() + " changed from " + was.owner() + " to " + g.owner() + " at the same epoch " + g.epoch());
            }
            if (g.epoch() > was.epoch() && mirrored(g.name())) {
                mirroredGrant(g, was, c);
            }
            boolean granted = false;
            for (int p = 0; p < parts.size(); p++) {
                Command d = parts.get(p);
                granted |= d.hasGrant() && partResults.get(p).getCode() == ResultCode.RESULT_OK
                        && d.getGrant().getGroup().equals(g.name());
            }
            if (granted && was.owner() != null) {
                sim.stats.takeovers++;
            }
            if (granted && g.adminStopped()) {
                fail("stop lost: the controller granted " + g.name() + " to " + g.owner() + " although an operator stopped it");
            }
        }
        if (c.hasForceActivate() && r.getCode() == ResultCode.RESULT_OK) {
            sim.stats.forceActivations++;
        }
        if (c.hasReplicaUpdate() && r.getCode() == ResultCode.RESULT_OK && !r.getMessage().contains("already")) {
            sim.stats.replicaChanges++;
        }
        signatures.add(signature(sim.raft.state));
        sim.stats.commits++;
    }

    private boolean mirrored(String group) {
        return sim.topology.group(group).map(spec -> spec.mirrored()).orElse(false);
    }

    /** S3 for a mirrored group just granted: the new owner was UpToDate before, unless forced or a new disk. */
    private void mirroredGrant(GroupState g, GroupMark was, Command c) {
        Replica before = was.replicas().get(g.owner());
        boolean forced = c.hasForceActivate();
        boolean newDisk = was.replicas().isEmpty();
        if (!forced && !newDisk && before != Replica.UP_TO_DATE) {
            fail("S3: mirrored " + g.name() + " granted to " + g.owner() + " e" + g.epoch() + " whose replica was "
                    + before + " (" + describe(c) + ")");
        }
        if (forced && before != Replica.OUTDATED) {
            fail("force-activate of " + g.name() + " on " + g.owner() + " whose replica was " + before);
        }
        if (g.replica(g.owner()) != Replica.UP_TO_DATE) {
            fail("S3: mirrored " + g.name() + " granted to " + g.owner() + " e" + g.epoch()
                    + " but its committed replica is " + g.replica(g.owner()));
        }
    }

    /**
     * Counts a controller decision the core refused as stale, by what changed since it was decided
     * (read off the committed state, which a refusal leaves as it was).
     */
    private void staleDecision(Command c) {
        boolean grant = c.hasGrant();
        String group = grant ? c.getGrant().getGroup() : c.getRevoke().getGroup();
        long epoch = grant ? c.getGrant().getExpectedEpoch() : c.getRevoke().getExpectedEpoch();
        long incarnation = grant ? c.getGrant().getOwnerIncarnation() : c.getRevoke().getOwnerIncarnation();
        long seq = grant ? c.getGrant().getOwnerSeq() : c.getRevoke().getOwnerSeq();
        ClusterStateProto committed = StateCodec.toProto(sim.raft.state);
        GroupStateProto g = committed.getGroupsList().stream().filter(x -> x.getName().equals(group))
                .findFirst().orElseThrow();
        NodeStateProto owner = g.getOwner().isEmpty() ? null : committed.getNodesList().stream()
                .filter(n -> n.getId().equals(g.getOwner())).findFirst().orElseThrow();
        if (g.getEpoch() == epoch && owner != null
                && (owner.getIncarnation() != incarnation || owner.getSeq() != seq)) {
            sim.stats.staleOwnerHeartbeat++;
        } else if (g.getEpoch() == epoch && grant && g.getAdminStopped()) {
            sim.stats.staleStopped++;
        } else {
            sim.stats.staleOther++;
        }
    }

    void replicaApplied(SimNode n, long index, CommandResult r) {
        if (signature(n.replica) != signatures.get((int) index - 1)) {
            fail("replica of " + n.id + " diverged at index " + index);
        }
    }

    private static long signature(ClusterState s) {
        long h = 17;
        for (GroupState g : s.groups()) {
            h = 31 * h + String.valueOf(g.owner()).hashCode();
            h = 31 * h + g.epoch();
            h = 31 * h + g.phase().ordinal();
            h = 31 * h + String.valueOf(g.moveTarget()).hashCode();
            h = 31 * h + (g.adminStopped() ? 1 : 0);
            h = 31 * h + g.failedOn().hashCode();
            h = 31 * h + new java.util.TreeMap<>(g.replicas()).toString().hashCode();
        }
        for (var n : s.nodes()) {
            h = 31 * h + (n.alive() ? 1 : 0);
        }
        return 31 * h + s.nextEventSeq();
    }

    static String describe(Command c) {
        return switch (c.getKindCase()) {
            case GRANT -> "grant " + c.getGrant().getGroup() + " to " + c.getGrant().getNode() + " @e" + c.getGrant().getExpectedEpoch()
                    + owner(c.getGrant().getOwnerIncarnation(), c.getGrant().getOwnerSeq()) + " (" + c.getGrant().getReason() + ")";
            case REVOKE -> "revoke " + c.getRevoke().getGroup() + " @e" + c.getRevoke().getExpectedEpoch()
                    + owner(c.getRevoke().getOwnerIncarnation(), c.getRevoke().getOwnerSeq());
            case MOVE -> "move " + c.getMove().getGroup() + " to " + c.getMove().getTo();
            case START -> "start " + c.getStart().getGroup() + (c.getStart().getOn().isEmpty() ? "" : " on " + c.getStart().getOn());
            case STOP -> "stop " + c.getStop().getGroup();
            case LIVENESS -> "liveness " + c.getLiveness().getNode() + " " + (c.getLiveness().getAlive() ? "up" : "down");
            case REPLICA_UPDATE -> "replica " + c.getReplicaUpdate().getGroup() + " " + c.getReplicaUpdate().getNode() + " "
                    + c.getReplicaUpdate().getState().name().substring(8) + " by " + c.getReplicaUpdate().getProposer()
                    + " @e" + c.getReplicaUpdate().getEpoch();
            case FORCE_ACTIVATE -> "force-activate " + c.getForceActivate().getGroup() + " on " + c.getForceActivate().getOn();
            case SET_MAINTENANCE -> "maintenance " + (c.getSetMaintenance().getOn() ? "on " : "off ")
                    + (c.getSetMaintenance().getGroup().isEmpty() ? "(all)" : c.getSetMaintenance().getGroup());
            case NODE_STANDBY -> (c.getNodeStandby().getStandby() ? "standby " : "online ") + c.getNodeStandby().getNode();
            case CLEAR_FAILURES -> "clear " + c.getClearFailures().getGroup()
                    + (c.getClearFailures().getNode().isEmpty() ? "" : " on " + c.getClearFailures().getNode());
            case HEARTBEAT -> "heartbeat " + c.getHeartbeat().getNode();
            case INCARNATE -> "incarnate " + c.getIncarnate().getNode() + " boot " + c.getIncarnate().getBoot();
            case ALERTS_DELIVERED -> "alerts delivered through " + c.getAlertsDelivered().getThroughSeq();
            case SET_PROTOCOL -> "protocol version " + c.getSetProtocol().getVersion();
            case SET_MEMBERSHIP -> "membership " + c.getSetMembership().getReason() + " @v" + c.getSetMembership().getExpectedVersion();
            case APPLY_CONFIG -> "config " + c.getApplyConfig().getSummary() + " @v" + c.getApplyConfig().getExpectedVersion();
            case DECISIONS -> c.getDecisions().getCommandsList().stream().map(Invariants::describe).toList().toString();
            case KIND_NOT_SET -> "empty";
        };
    }

    /** The owner's heartbeat a controller decision relied on, if it was about an owned group. */
    private static String owner(long incarnation, long seq) {
        return incarnation == 0 && seq == 0 ? "" : " owner hb " + incarnation + "." + seq;
    }
}

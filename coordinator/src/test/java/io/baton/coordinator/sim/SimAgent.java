package io.baton.coordinator.sim;

import io.baton.coordinator.agent.AgentRules;
import io.baton.coordinator.agent.AgentRules.Memory;
import io.baton.coordinator.agent.OwnerLease;
import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.core.Topology;
import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import io.baton.proto.ResultCode;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node agent of one process incarnation, level-based: every step it decides from its replica,
 * its lease and its memory with {@link AgentRules}, and runs at most one activation or deactivation
 * per group. Heartbeats go out every interval (one outstanding), and at once when its grants or its
 * reports change; a reply confirms the lease from the send time. A fence check at the lease's fence
 * time stops everything at once, probe port first.
 */
final class SimAgent {
    enum Res { INACTIVE, ACTIVATING, ACTIVE, DEACTIVATING }

    /** What the agent does and remembers about one group. */
    static final class Run {
        Res res = Res.INACTIVE;
        long epoch = -1;
        long token;
        Memory memory = Memory.NONE;
    }

    private final Sim sim;
    private final SimNode node;
    final OwnerLease lease = new OwnerLease(SimConfig.TIMING.leaseNanos(), SimConfig.STOP_BUDGET_NANOS);
    private final Map<String, Run> runs = new TreeMap<>();
    private long seq;
    private long sendId;
    private boolean outstanding;
    private long outstandingSince;
    private boolean sendWanted;
    private String lastSent = "";

    SimAgent(Sim sim, SimNode node) {
        this.sim = sim;
        this.node = node;
        for (Topology.GroupSpec g : sim.topology.groups()) {
            if (g.members().contains(node.id) && !node.witness) {
                runs.put(g.name(), new Run());
            }
        }
    }

    /** Resources of {@code group} up in any way (the disk may be writable while starting or stopping). */
    boolean holds(String group) {
        Run r = runs.get(group);
        return r != null && r.res != Res.INACTIVE;
    }

    /** Fully active: probe port open. */
    boolean active(String group) {
        Run r = runs.get(group);
        return r != null && r.res == Res.ACTIVE;
    }

    void start() {
        tick();
    }

    private void tick() {
        if (outstanding && node.local() - outstandingSince >= SimConfig.REPLY_TIMEOUT_NANOS) {
            outstanding = false;
            sendId++; // a late answer to the abandoned heartbeat is ignored, as by a timed-out client call
        }
        reconcile();
        if (!outstanding) {
            send();
        }
        node.afterLocal(SimConfig.TIMING.heartbeatNanos(), this::tick);
    }

    /** After a pause: the lease check comes before anything else. */
    void resumed() {
        reconcile();
    }

    // ---- decisions ----

    void reconcile() {
        fenceIfExpired();
        long now = node.local();
        for (Map.Entry<String, Run> e : runs.entrySet()) {
            String group = e.getKey();
            Run r = e.getValue();
            GroupState local = node.replica.group(group).orElse(null);
            boolean want = want(local, r, now) && (r.res == Res.INACTIVE || r.epoch == local.epoch());
            if (r.res == Res.INACTIVE && want) {
                activate(group, r, local.epoch());
            } else if (r.res == Res.ACTIVE && !want) {
                deactivate(group, r);
            }
            if (r.res == Res.INACTIVE) {
                long releasable = AgentRules.releasable(node.id, local, false);
                if (releasable >= 0 && r.memory.releasedEpoch() < releasable) {
                    r.memory = new Memory(r.memory.failedEpoch(), releasable);
                    sim.trace.add(node.id, "released " + group + " e" + releasable);
                }
            }
        }
        maybeSend();
    }

    private boolean want(GroupState local, Run r, long now) {
        return switch (sim.config.mutation()) {
            case NONE -> AgentRules.shouldBeActive(node.id, local, lease, r.memory, now);
            case NO_LEASE_CHECK -> ownerByReplica(local, r);
            case NO_FENCE -> (r.res == Res.ACTIVE && ownerByReplica(local, r))
                    || AgentRules.shouldBeActive(node.id, local, lease, r.memory, now);
        };
    }

    private boolean ownerByReplica(GroupState local, Run r) {
        return local != null && node.id.equals(local.owner()) && local.phase().allowsActivity()
                && local.epoch() != r.memory.failedEpoch() && local.epoch() > r.memory.releasedEpoch();
    }

    private void fenceIfExpired() {
        if (sim.config.mutation() == SimConfig.Mutation.NO_FENCE || lease.live(node.local())) {
            return;
        }
        for (Map.Entry<String, Run> e : runs.entrySet()) {
            Run r = e.getValue();
            if (r.res != Res.INACTIVE) {
                sim.trace.add(node.id, "FENCE " + e.getKey() + " e" + r.epoch + " (was " + r.res + ")");
                sim.stats.fences++;
                r.res = Res.INACTIVE;
                r.token++;
            }
        }
    }

    // ---- resource steps ----

    private void activate(String group, Run r, long epoch) {
        r.res = Res.ACTIVATING;
        r.epoch = epoch;
        long token = ++r.token;
        sim.trace.add(node.id, "activating " + group + " e" + epoch);
        sim.invariants.activating(node, group, epoch, "starts activating");
        node.afterLocal(sim.between(0, SimConfig.ACTIVATION_MAX_NANOS), () -> activated(group, r, token));
    }

    private void activated(String group, Run r, long token) {
        if (r.token != token || r.res != Res.ACTIVATING) {
            return;
        }
        GroupState local = node.replica.group(group).orElse(null);
        if (!sim.healing && sim.chance(sim.config.activationFailure())) {
            r.res = Res.INACTIVE;
            r.memory = new Memory(r.epoch, r.memory.releasedEpoch());
            sim.trace.add(node.id, "activation of " + group + " e" + r.epoch + " FAILED (rolled back)");
        } else if (want(local, r, node.local()) && local.epoch() == r.epoch) {
            // The probe port opens last, only if the lease still allows it.
            r.res = Res.ACTIVE;
            sim.stats.activations++;
            sim.trace.add(node.id, "ACTIVE " + group + " e" + r.epoch);
            sim.invariants.activating(node, group, r.epoch, "opens the probe port of");
        } else {
            r.res = Res.INACTIVE;
            sim.trace.add(node.id, "activation of " + group + " e" + r.epoch + " abandoned (rolled back)");
        }
        reconcile();
    }

    private void deactivate(String group, Run r) {
        r.res = Res.DEACTIVATING;
        long token = ++r.token;
        sim.trace.add(node.id, "deactivating " + group + " e" + r.epoch);
        node.afterLocal(sim.between(0, SimConfig.DEACTIVATION_MAX_NANOS), () -> {
            if (r.token == token && r.res == Res.DEACTIVATING) {
                r.res = Res.INACTIVE;
                sim.trace.add(node.id, "inactive " + group + " e" + r.epoch);
                reconcile();
            }
        });
    }

    // ---- heartbeats ----

    private void maybeSend() {
        if (signature().equals(lastSent)) {
            return;
        }
        if (outstanding) {
            sendWanted = true;
        } else {
            send();
        }
    }

    /** What a heartbeat would say, plus this node's grants as its replica shows them. */
    private String signature() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Run> e : runs.entrySet()) {
            GroupReport rep = report(e.getKey(), e.getValue());
            b.append(rep.getEpoch()).append(rep.getActivityValue()).append(rep.getReleased() ? 'r' : '-');
            GroupState local = node.replica.group(e.getKey()).orElseThrow();
            if (node.id.equals(local.owner())) {
                b.append('o').append(local.epoch()).append(local.phase().ordinal());
            }
            b.append(';');
        }
        return b.toString();
    }

    private GroupReport report(String group, Run r) {
        GroupState local = node.replica.group(group).orElseThrow();
        long localEpoch = local.epoch();
        GroupReport.Builder b = GroupReport.newBuilder().setGroup(group);
        switch (r.res) {
            case ACTIVE -> b.setEpoch(r.epoch).setActivity(ActivityProto.ACTIVITY_ACTIVE);
            case ACTIVATING -> b.setEpoch(r.epoch).setActivity(ActivityProto.ACTIVITY_STARTING);
            case DEACTIVATING -> b.setEpoch(r.epoch).setActivity(ActivityProto.ACTIVITY_STOPPING);
            case INACTIVE -> b.setEpoch(localEpoch).setActivity(r.memory.failedEpoch() == localEpoch
                    ? ActivityProto.ACTIVITY_FAILED : ActivityProto.ACTIVITY_INACTIVE)
                    .setReleased(r.memory.releasedEpoch() == localEpoch
                            && AgentRules.releasable(node.id, local, false) == localEpoch);
        }
        return b.build();
    }

    private void send() {
        lastSent = signature();
        sendWanted = false;
        outstanding = true;
        long id = ++sendId;
        long sentAt = node.local();
        outstandingSince = sentAt;
        Heartbeat.Builder hb = Heartbeat.newBuilder().setNode(node.id).setIncarnation(node.incarnation).setSeq(++seq);
        runs.forEach((group, r) -> hb.addReports(report(group, r)));
        sim.stats.heartbeats++;
        sim.raft.submit(node, Command.newBuilder().setHeartbeat(hb).build(), result -> answered(id, sentAt, result));
    }

    private void answered(long id, long sentAt, CommandResult result) {
        if (id != sendId) {
            return;
        }
        outstanding = false;
        if (result != null && result.getCode() == ResultCode.RESULT_OK) {
            lease.confirmed(sentAt, result.getHeldList());
            node.atLocal(lease.fenceAtNanos(), this::reconcile);
        }
        reconcile();
        if (sendWanted && !outstanding) {
            send();
        }
    }
}

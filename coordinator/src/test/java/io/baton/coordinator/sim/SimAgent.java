package io.baton.coordinator.sim;

import io.baton.coordinator.agent.AgentPlan;
import io.baton.coordinator.agent.GroupMemory;
import io.baton.coordinator.agent.HeartbeatChoice;
import io.baton.coordinator.agent.MonitorSpec;
import io.baton.coordinator.agent.Observed;
import io.baton.coordinator.agent.OwnerLease;
import io.baton.coordinator.agent.PlanInput;
import io.baton.coordinator.agent.PlanPolicy;
import io.baton.coordinator.agent.Step;
import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.core.Topology;
import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import io.baton.proto.HeldGrant;
import io.baton.proto.Incarnate;
import io.baton.proto.ResultCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node agent of one process incarnation: the daemon's real {@link AgentPlan} decides every
 * step, this class only executes the steps on fake resources in simulated time, as
 * {@code NodeAgent} does on real ones. Each group has an application (exec, monitored) and a probe
 * port, the mirrored group a disk before them. A start or stop takes a random time; an application
 * can crash (its driver still says active, only its monitor sees it) or fail to start. Heartbeats go
 * out every interval (one outstanding), and at once when grants or reports change; a reply confirms
 * the lease from the send time. At the lease's fence time everything stops at once, probe port
 * first (the real agent's fence closes probe ports and fences the disk; its stop budget covers the
 * rest, which the model takes as instant).
 */
final class SimAgent {
    /** Monitor of every application: 2 failures, checked every 200 ms, 1 restart within 5 s. */
    static final MonitorSpec APP_MONITOR = new MonitorSpec(2, 0, 1, 5_000 * SimConfig.MS);
    static final long MONITOR_INTERVAL_NANOS = 200 * SimConfig.MS;

    /** One fake resource. */
    static final class SimResource {
        final String name;
        Observed state = Observed.INACTIVE;
        /** The process died: its driver still says active; only the monitor sees it. */
        boolean crashed;

        SimResource(String name) {
            this.name = name;
        }
    }

    /** What the agent runs and remembers for one group. */
    static final class Run {
        final String group;
        final PlanPolicy policy;
        final GroupMemory memory;
        final List<SimResource> resources = new ArrayList<>();
        /** A start or stop is under way (one at a time per group, as in the daemon). */
        boolean busy;
        /** Bumped by a fence: a step's completion from before it is dropped. */
        long token;

        Run(String group, List<String> names) {
            this.group = group;
            List<MonitorSpec> monitors = new ArrayList<>();
            for (String n : names) {
                resources.add(new SimResource(n));
                monitors.add(n.equals("app") ? APP_MONITOR : null);
            }
            this.policy = new PlanPolicy(names, monitors, names.size() - 1, false, 0);
            this.memory = new GroupMemory(policy);
        }

        int app() {
            return policy.names().indexOf("app");
        }

        SimResource probe() {
            return resources.get(policy.probeIndex());
        }
    }

    private final Sim sim;
    private final SimNode node;
    final OwnerLease lease = new OwnerLease(SimConfig.TIMING.leaseNanos(), SimConfig.STOP_BUDGET_NANOS);
    private final Map<String, Run> runs = new TreeMap<>();
    /** Assigned by the core (Incarnate); 0 until then. */
    private long incarnation;
    private long seq;
    private long sendId;
    private boolean outstanding;
    private long outstandingSince;
    private boolean sendWanted;
    private String lastSent = "";
    /** The last heartbeat the log answered OK, when it was sent, and whether a read just failed (as NodeAgent). */
    private Heartbeat lastWritten;
    private long lastWrittenAt;
    private boolean writeNext;

    SimAgent(Sim sim, SimNode node) {
        this.sim = sim;
        this.node = node;
        for (Topology.GroupSpec g : sim.topology.groups()) {
            if (g.members().contains(node.id) && !node.witness) {
                runs.put(g.name(), new Run(g.name(), g.mirrored() ? List.of("disk", "app", "probe") : List.of("app", "probe")));
            }
        }
    }

    /** Resources of {@code group} up in any way, or a step under way on them. */
    boolean holds(String group) {
        Run r = runs.get(group);
        return r != null && (r.busy || r.resources.stream().anyMatch(x -> x.state.mayBeUp()));
    }

    /** Fully active and healthy: probe port open, application running. */
    boolean active(String group) {
        Run r = runs.get(group);
        return r != null && r.memory.activity() == ActivityProto.ACTIVITY_ACTIVE
                && r.resources.stream().allMatch(x -> x.state == Observed.ACTIVE && !x.crashed);
    }

    /** The application of {@code group} dies, if it is running here; returns whether it did. */
    boolean crashApp(String group) {
        Run r = runs.get(group);
        if (r == null || r.resources.get(r.app()).state != Observed.ACTIVE || r.resources.get(r.app()).crashed) {
            return false;
        }
        r.resources.get(r.app()).crashed = true;
        sim.trace.add(node.id, "APP CRASH " + group);
        return true;
    }

    void start() {
        tick();
        monitorTick();
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

    // ---- the plan's steps ----

    void reconcile() {
        fenceIfExpired();
        for (Run r : runs.values()) {
            step(r);
        }
        maybeSend();
    }

    /** Asks the plan for steps until it is idle or a timed step is under way. */
    private void step(Run r) {
        long restarts = r.memory.resource(r.app()).restartsTotal();
        boolean monitorFailed = r.memory.monitorFailed();
        try {
            steps(r);
        } finally {
            sim.stats.monitorRestarts += r.memory.resource(r.app()).restartsTotal() - restarts;
            if (!monitorFailed && r.memory.monitorFailed()) {
                sim.stats.monitorFailovers++;
            }
        }
    }

    private void steps(Run r) {
        for (int i = 0; i < 64 && !r.busy; i++) {
            GroupState local = node.replica.group(r.group).orElse(null);
            Step s = AgentPlan.next(r.policy, r.memory, input(r, local));
            if (s instanceof Step.Start start) {
                begin(r, start.index(), true, start.epoch());
            } else if (s instanceof Step.Stop stop) {
                begin(r, stop.index(), false, r.memory.epoch());
            } else {
                return;
            }
        }
    }

    private PlanInput input(Run r, GroupState local) {
        List<Observed> observed = r.resources.stream().map(x -> x.state).toList();
        return new PlanInput(node.id, local, leaseFor(r, local), false, observed, -1, node.local());
    }

    /** The real lease, or for a broken agent a forged one that holds whatever its replica shows. */
    private OwnerLease leaseFor(Run r, GroupState local) {
        boolean forge = switch (sim.config.mutation()) {
            case NONE -> false;
            case NO_LEASE_CHECK -> true;
            case NO_FENCE -> r.memory.activity() == ActivityProto.ACTIVITY_ACTIVE;
        };
        if (!forge || local == null || !node.id.equals(local.owner())) {
            return lease;
        }
        OwnerLease forged = new OwnerLease(SimConfig.TIMING.leaseNanos(), SimConfig.STOP_BUDGET_NANOS);
        forged.confirmed(node.local(), List.of(HeldGrant.newBuilder().setGroup(r.group).setEpoch(local.epoch())
                .setPhase(local.phase().toProto()).build()));
        return forged;
    }

    private void begin(Run r, int index, boolean start, long epoch) {
        SimResource res = r.resources.get(index);
        sim.invariants.resourceStep(node, r, index, start);
        if (!start && res.state == Observed.INACTIVE) {
            AgentPlan.stopped(r.policy, r.memory, index, true, "", node.local());
            return;
        }
        if (start) {
            sim.invariants.activating(node, r.group, epoch, index == r.policy.probeIndex()
                    ? "starts opening the probe port of" : "starts " + res.name + " of");
        }
        r.busy = true;
        long token = r.token;
        long max = (start ? SimConfig.ACTIVATION_MAX_NANOS : SimConfig.DEACTIVATION_MAX_NANOS) / r.resources.size();
        sim.trace.add(node.id, (start ? "start " : "stop ") + r.group + "/" + res.name + " e" + epoch);
        node.afterLocal(sim.between(0, max), () -> {
            if (r.token != token) {
                return;
            }
            r.busy = false;
            finish(r, index, start, epoch);
            reconcile();
        });
    }

    private void finish(Run r, int index, boolean start, long epoch) {
        SimResource res = r.resources.get(index);
        long now = node.local();
        if (!start) {
            res.state = Observed.INACTIVE;
            res.crashed = false;
            AgentPlan.stopped(r.policy, r.memory, index, true, "", now);
            return;
        }
        if (index == r.app() && !sim.healing && sim.chance(sim.config.activationFailure())) {
            res.state = Observed.FAILED;
            sim.trace.add(node.id, "start of " + r.group + "/app e" + epoch + " FAILED");
            AgentPlan.started(r.policy, r.memory, index, false, "start script exited with status 1", now);
            return;
        }
        res.state = Observed.ACTIVE;
        res.crashed = false;
        AgentPlan.started(r.policy, r.memory, index, true, "", now);
        if (index == r.policy.probeIndex()) {
            sim.stats.activations++;
            sim.trace.add(node.id, "ACTIVE " + r.group + " e" + epoch);
            sim.invariants.activating(node, r.group, epoch, "opens the probe port of");
        }
    }

    private void fenceIfExpired() {
        if (sim.config.mutation() == SimConfig.Mutation.NO_FENCE || lease.live(node.local())) {
            return;
        }
        for (Run r : runs.values()) {
            if (holds(r.group)) {
                sim.trace.add(node.id, "FENCE " + r.group + " e" + r.memory.epoch() + " (was " + r.memory.activity() + ")");
                sim.stats.fences++;
                r.resources.forEach(x -> {
                    x.state = Observed.INACTIVE;
                    x.crashed = false;
                });
                r.busy = false;
                r.token++;
            }
        }
    }

    // ---- monitors ----

    private void monitorTick() {
        for (Run r : runs.values()) {
            int app = r.app();
            if (!AgentPlan.monitoring(r.policy, r.memory, app, false)) {
                continue;
            }
            long generation = r.memory.resource(app).generation();
            SimResource res = r.resources.get(app);
            boolean healthy = res.state == Observed.ACTIVE && !res.crashed;
            // The check's answer comes back a little later, as a real check's does.
            node.afterLocal(sim.between(0, 20 * SimConfig.MS), () -> {
                if (AgentPlan.checked(r.policy, r.memory, app, generation, healthy,
                        healthy ? "" : "connection refused", node.local())) {
                    sim.trace.add(node.id, "monitor " + r.group + "/app " + r.memory.resource(app).verdict().word());
                    reconcile();
                }
            });
        }
        node.afterLocal(MONITOR_INTERVAL_NANOS, this::monitorTick);
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
        for (Run r : runs.values()) {
            GroupReport rep = report(r);
            b.append(rep.getEpoch()).append(rep.getActivityValue()).append(rep.getReleased() ? 'r' : '-')
                    .append(rep.getMonitorFailed() ? 'm' : '-');
            GroupState local = node.replica.group(r.group).orElseThrow();
            if (node.id.equals(local.owner())) {
                b.append('o').append(local.epoch()).append(local.phase().ordinal());
            }
            b.append(';');
        }
        return b.toString();
    }

    private static GroupReport report(Run r) {
        GroupMemory m = r.memory;
        ActivityProto a = m.activity() == null ? ActivityProto.ACTIVITY_STOPPING : m.activity();
        return GroupReport.newBuilder().setGroup(r.group).setEpoch(m.epoch()).setActivity(a).setMessage(m.message())
                .setReleased(m.released()).setMonitorFailed(m.monitorFailed()).setDegraded(m.degraded()).build();
    }

    private void send() {
        if (incarnation == 0) {
            incarnate();
            return;
        }
        lastSent = signature();
        sendWanted = false;
        outstanding = true;
        long id = ++sendId;
        long sentAt = node.local();
        outstandingSince = sentAt;
        Heartbeat.Builder hb = Heartbeat.newBuilder().setNode(node.id).setIncarnation(incarnation).setSeq(++seq);
        runs.values().forEach(r -> hb.addReports(report(r)));
        Command command = Command.newBuilder().setHeartbeat(hb).build();
        sim.stats.heartbeats++;
        // As NodeAgent, with the same choice: a heartbeat that says what the last committed one said is a read.
        if (!writeNext && HeartbeatChoice.read(lastWritten, command.getHeartbeat(), sentAt - lastWrittenAt,
                Long.MAX_VALUE)) {
            sim.stats.heartbeatReads++;
            sim.raft.read(node, command, result -> {
                if (id != sendId) {
                    return;
                }
                if (result == null) {
                    writeNext = true;
                    answered(id, sentAt, null);
                } else if (result.getCode() == ResultCode.RESULT_WRITE_NEEDED) {
                    write(id, sentAt, command);
                } else {
                    answered(id, sentAt, result);
                }
            });
        } else {
            write(id, sentAt, command);
        }
    }

    private void write(long id, long sentAt, Command command) {
        sim.raft.submit(node, command, result -> {
            if (id == sendId) {
                writeNext = false;
                if (result != null && result.getCode() == ResultCode.RESULT_OK) {
                    lastWritten = command.getHeartbeat();
                    lastWrittenAt = sentAt;
                }
            }
            answered(id, sentAt, result);
        });
    }

    /**
     * As the daemon's agent: the process's first request asks the core for its incarnation (the process
     * number serves as its boot id, unique per process), and no heartbeat goes out until it has one.
     */
    private void incarnate() {
        outstanding = true;
        long id = ++sendId;
        outstandingSince = node.local();
        sim.raft.submit(node, Command.newBuilder().setIncarnate(Incarnate.newBuilder().setNode(node.id)
                .setBoot(node.incarnation)).build(), result -> {
                    if (id != sendId) {
                        return;
                    }
                    outstanding = false;
                    if (result != null && result.getCode() == ResultCode.RESULT_OK) {
                        incarnation = result.getIncarnation();
                        send();
                    }
                });
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

    /** Kept for the invariants' messages: which resources are up where. */
    String describe(String group) {
        Run r = runs.get(group);
        return r == null ? "-" : Arrays.toString(r.resources.stream().map(x -> x.name + "=" + x.state
                + (x.crashed ? "(crashed)" : "")).toArray());
    }
}

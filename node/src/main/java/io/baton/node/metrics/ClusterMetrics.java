package io.baton.node.metrics;

import io.baton.proto.PhaseProto;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.ResourceReport;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeGroupStatus;
import io.baton.proto.admin.NodeStatus;
import io.baton.proto.admin.ReplicaStatus;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The Baton metrics of one scrape, from the cluster status this node serves (the leader's view when
 * a leader answered) and what only this node knows. Pure: the same inputs give the same metrics.
 *
 * <p>Names follow Prometheus's conventions: the unit last, counters end in {@code _total} (the
 * client adds it), a state as a label with value 1 on the current one and 0 on the others, so that a
 * query or an alert can match {@code phase="online"} without knowing the other values. The names
 * are part of Baton's interface (dashboards, alerts): docs/metrics.md lists them.
 */
public final class ClusterMetrics {
    private ClusterMetrics() {}

    /** Phases as label values, in the order of the enum. */
    static final List<PhaseProto> PHASES = Arrays.stream(PhaseProto.values())
            .filter(p -> p != PhaseProto.UNRECOGNIZED).toList();
    static final List<ReplicaStateProto> REPLICA_STATES = Arrays.stream(ReplicaStateProto.values())
            .filter(p -> p != ReplicaStateProto.UNRECOGNIZED).toList();

    public static List<MetricSnapshot> of(ClusterStatus status, LocalView local) {
        List<MetricSnapshot> out = new ArrayList<>();
        GaugeSnapshot.Builder owner = gauge("baton_group_owner", "1 on the node that owns the group, 0 on its other members");
        GaugeSnapshot.Builder epoch = gauge("baton_group_epoch", "the group's grant epoch: it grows by one at every grant");
        GaugeSnapshot.Builder phase = gauge("baton_group_phase", "1 for the group's current phase, 0 for the others");
        GaugeSnapshot.Builder maintenance = gauge("baton_group_maintenance", "1 while the group is in maintenance");
        GaugeSnapshot.Builder held = gauge("baton_group_held", "1 while the group is held FAILED (on_failure stop, failover limit)");
        GaugeSnapshot.Builder probeWait = gauge("baton_group_probe_wait",
                "1 while the owner's probe port has had no health check for longer than its probe_wait");
        CounterSnapshot.Builder takeovers = counter("baton_takeovers",
                "grants to another node after the owner's lease ran out, since the group was created");
        CounterSnapshot.Builder moves = counter("baton_moves", "moves that ended in a grant to their target, since the group was created");
        GaugeSnapshot.Builder replica = gauge("baton_mirror_replica_state",
                "1 for each member's committed mirror replica state, 0 for the other states");
        GaugeSnapshot.Builder behind = gauge("baton_mirror_bytes_behind",
                "bytes the furthest-behind peer replica lacks, as the owner's mirror disk reports it");
        GaugeSnapshot.Builder progress = gauge("baton_mirror_resync_progress_ratio",
                "the resync's progress to the furthest-behind peer, 0 to 1 (1: in sync)");
        CounterSnapshot.Builder monitorFailures = counter("baton_monitor_failures",
                "times a resource's monitor declared it failed on this node, since the daemon started");

        for (GroupStatus g : status.getGroupsList()) {
            Labels group = Labels.of("group", g.getName());
            for (String node : g.getPreferenceList()) {
                owner.dataPoint(point(Labels.of("group", g.getName(), "node", node), node.equals(g.getOwner()) ? 1 : 0));
            }
            epoch.dataPoint(point(group, g.getEpoch()));
            for (PhaseProto p : PHASES) {
                phase.dataPoint(point(Labels.of("group", g.getName(), "phase", phaseName(p)), p == g.getPhase() ? 1 : 0));
            }
            maintenance.dataPoint(point(group, g.getMaintenance() ? 1 : 0));
            held.dataPoint(point(group, g.getHeld() ? 1 : 0));
            probeWait.dataPoint(point(group, g.getWarningsList().stream().anyMatch(w -> w.startsWith("probe-wait")) ? 1 : 0));
            takeovers.dataPoint(count(group, g.getTakeovers()));
            moves.dataPoint(count(group, g.getMoves()));
            if (g.getMirrored()) {
                mirror(g, replica, behind, progress);
            }
            for (NodeGroupStatus n : g.getNodesList()) {
                if (!n.getNode().equals(local.self())) {
                    continue;
                }
                for (ResourceReport r : n.getReport().getResourcesList()) {
                    if (r.hasMonitor()) {
                        monitorFailures.dataPoint(count(Labels.of("group", g.getName(), "resource", r.getName()),
                                r.getMonitor().getFailedTotal()));
                    }
                }
            }
        }
        out.add(owner.build());
        out.add(epoch.build());
        out.add(phase.build());
        out.add(maintenance.build());
        out.add(held.build());
        out.add(probeWait.build());
        out.add(takeovers.build());
        out.add(moves.build());
        out.add(replica.build());
        out.add(behind.build());
        out.add(progress.build());
        out.add(monitorFailures.build());

        GaugeSnapshot.Builder lease = gauge("baton_lease_remaining_seconds",
                "on the owner: how long its lease on the group has left before it must be stopped");
        lease.unit(Unit.SECONDS);
        local.leaseRemainingNanos().forEach((g, nanos) -> lease.dataPoint(point(Labels.of("group", g), nanos / 1e9)));
        out.add(lease.build());
        CounterSnapshot.Builder probes = counter("baton_probe_checks",
                "load balancer health checks this node's probe port accepted, since the daemon started");
        local.probeChecks().forEach((g, n) -> probes.dataPoint(count(Labels.of("group", g), n)));
        out.add(probes.build());

        out.addAll(nodesAndRaft(status));
        return out;
    }

    private static void mirror(GroupStatus g, GaugeSnapshot.Builder replica, GaugeSnapshot.Builder behind,
                               GaugeSnapshot.Builder progress) {
        long maxBehind = 0;
        double minProgress = 1;
        boolean reported = false;
        for (ReplicaStatus r : g.getReplicasList()) {
            for (ReplicaStateProto s : REPLICA_STATES) {
                replica.dataPoint(point(Labels.of("group", g.getName(), "node", r.getNode(), "state", replicaName(s)),
                        s == r.getState() ? 1 : 0));
            }
            if (r.hasPeer()) {
                reported = true;
                maxBehind = Math.max(maxBehind, r.getPeer().getBytesBehind());
                double p = r.getPeer().getInSync() ? 1 : r.getPeer().getSyncing() ? r.getPeer().getProgressPercent() / 100.0 : 0;
                minProgress = Math.min(minProgress, p);
            }
        }
        if (reported) {
            // Only the owner's mirror disk sees its peers; with no owner there is nothing to report.
            behind.dataPoint(point(Labels.of("group", g.getName()), maxBehind));
            progress.dataPoint(point(Labels.of("group", g.getName()), minProgress));
        }
    }

    private static List<MetricSnapshot> nodesAndRaft(ClusterStatus status) {
        GaugeSnapshot.Builder up = gauge("baton_node_up", "1 while the node's heartbeats are committed (its lease is live)");
        GaugeSnapshot.Builder leader = gauge("baton_raft_leader", "1 on the Raft leader, 0 on the other voters");
        for (NodeStatus n : status.getNodesList()) {
            up.dataPoint(point(Labels.of("node", n.getId()), n.getAlive() ? 1 : 0));
            leader.dataPoint(point(Labels.of("node", n.getId()), n.getId().equals(status.getLeader()) ? 1 : 0));
        }
        GaugeSnapshot.Builder fromLeader = gauge("baton_status_from_leader",
                "1 when a Raft leader answered this node's status query; 0: the figures are this node's own replica");
        fromLeader.dataPoint(point(Labels.EMPTY, status.getWarning().isEmpty() ? 1 : 0));
        GaugeSnapshot.Builder term = gauge("baton_raft_term", "the Raft term of the leader that answered");
        GaugeSnapshot.Builder tolerated = gauge("baton_raft_failures_tolerated",
                "voters that may still fail without losing the quorum (0: DEGRADED)");
        GaugeSnapshot.Builder inContact = gauge("baton_raft_voters_in_contact", "voters the leader heard recently, itself included");
        if (status.getRaft().getKnown()) {
            term.dataPoint(point(Labels.EMPTY, status.getRaft().getTerm()));
            tolerated.dataPoint(point(Labels.EMPTY, status.getRaft().getFailuresTolerated()));
            inContact.dataPoint(point(Labels.EMPTY, status.getRaft().getInContact()));
        }
        return List.of(up.build(), leader.build(), fromLeader.build(), term.build(), tolerated.build(), inContact.build());
    }

    static String phaseName(PhaseProto p) {
        return p.name().substring("PHASE_".length()).toLowerCase(Locale.ROOT);
    }

    static String replicaName(ReplicaStateProto s) {
        return s.name().substring("REPLICA_".length()).toLowerCase(Locale.ROOT);
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static CounterDataPointSnapshot count(Labels labels, double value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}

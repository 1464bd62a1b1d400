package io.baton.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.GroupReport;
import io.baton.proto.MirrorPeerReport;
import io.baton.proto.MonitorReport;
import io.baton.proto.PhaseProto;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.ResourceReport;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeGroupStatus;
import io.baton.proto.admin.NodeStatus;
import io.baton.proto.admin.RaftHealth;
import io.baton.proto.admin.ReplicaStatus;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterMetricsTest {
    static ClusterStatus status() {
        return ClusterStatus.newBuilder().setCluster("c").setLeader("witness")
                .addNodes(NodeStatus.newBuilder().setId("server1").setAlive(true))
                .addNodes(NodeStatus.newBuilder().setId("server2").setAlive(false))
                .addNodes(NodeStatus.newBuilder().setId("witness").setAlive(true))
                .setRaft(RaftHealth.newBuilder().setKnown(true).setLeader("witness").setTerm(7).setVoters(3)
                        .setInContact(2).setFailuresTolerated(0))
                .addGroups(GroupStatus.newBuilder().setName("web").setOwner("server1").setEpoch(4)
                        .setPhase(PhaseProto.PHASE_ONLINE).addPreference("server1").addPreference("server2")
                        .setTakeovers(2).setMoves(1).setMirrored(true)
                        .addReplicas(ReplicaStatus.newBuilder().setNode("server1").setState(ReplicaStateProto.REPLICA_UP_TO_DATE))
                        .addReplicas(ReplicaStatus.newBuilder().setNode("server2").setState(ReplicaStateProto.REPLICA_OUTDATED)
                                .setPeer(MirrorPeerReport.newBuilder().setPeer("server2").setSyncing(true)
                                        .setProgressPercent(40).setBytesBehind(123456)))
                        .addNodes(NodeGroupStatus.newBuilder().setNode("server1").setReport(GroupReport.newBuilder()
                                .addResources(ResourceReport.newBuilder().setName("app")
                                        .setMonitor(MonitorReport.newBuilder().setFailedTotal(3))))))
                .build();
    }

    static String text(ClusterStatus status, LocalView local) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, new MetricSnapshots(ClusterMetrics.of(status, local)));
        return out.toString(StandardCharsets.UTF_8);
    }

    static final LocalView OWNER = new LocalView("server1", Map.of("web", 2_500_000_000L), Map.of("web", 17L));

    @Test
    void groupOwnerEpochPhaseAndCounters() throws Exception {
        String t = text(status(), OWNER);
        assertTrue(t.contains("baton_group_owner{group=\"web\",node=\"server1\"} 1.0\n"), t);
        assertTrue(t.contains("baton_group_owner{group=\"web\",node=\"server2\"} 0.0\n"), t);
        assertTrue(t.contains("baton_group_epoch{group=\"web\"} 4.0\n"), t);
        assertTrue(t.contains("baton_group_phase{group=\"web\",phase=\"online\"} 1.0\n"), t);
        assertTrue(t.contains("baton_group_phase{group=\"web\",phase=\"failed\"} 0.0\n"), t);
        assertTrue(t.contains("# TYPE baton_takeovers_total counter\nbaton_takeovers_total{group=\"web\"} 2.0\n"), t);
        assertTrue(t.contains("baton_moves_total{group=\"web\"} 1.0\n"), t);
        assertTrue(t.contains("baton_group_probe_wait{group=\"web\"} 0.0\n"), t);
        String waiting = text(status().toBuilder().setGroups(0, status().getGroups(0).toBuilder()
                .addWarnings("probe-wait: no health check from the load balancer for 45 s")).build(), OWNER);
        assertTrue(waiting.contains("baton_group_probe_wait{group=\"web\"} 1.0\n"), waiting);
    }

    @Test
    void whatOnlyTheNodeKnows() throws Exception {
        String t = text(status(), OWNER);
        assertTrue(t.contains("baton_lease_remaining_seconds{group=\"web\"} 2.5\n"), t);
        assertTrue(t.contains("baton_probe_checks_total{group=\"web\"} 17.0\n"), t);
        assertTrue(t.contains("baton_monitor_failures_total{group=\"web\",resource=\"app\"} 3.0\n"), t);
        // server2 ran no monitor of web and holds no lease: none of those series.
        String standby = text(status(), new LocalView("server2", Map.of(), Map.of("web", 0L)));
        assertFalse(standby.contains("baton_lease_remaining_seconds{"), standby);
        assertFalse(standby.contains("baton_monitor_failures_total{"), standby);
    }

    @Test
    void mirrorReplicas() throws Exception {
        String t = text(status(), OWNER);
        assertTrue(t.contains("baton_mirror_replica_state{group=\"web\",node=\"server2\",state=\"outdated\"} 1.0\n"), t);
        assertTrue(t.contains("baton_mirror_replica_state{group=\"web\",node=\"server2\",state=\"up_to_date\"} 0.0\n"), t);
        assertTrue(t.contains("baton_mirror_bytes_behind{group=\"web\"} 123456.0\n"), t);
        assertTrue(t.contains("baton_mirror_resync_progress_ratio{group=\"web\"} 0.4\n"), t);
    }

    @Test
    void nodesAndRaft() throws Exception {
        String t = text(status(), OWNER);
        assertTrue(t.contains("baton_node_up{node=\"server2\"} 0.0\n"), t);
        assertTrue(t.contains("baton_raft_leader{node=\"witness\"} 1.0\n"), t);
        assertTrue(t.contains("baton_raft_leader{node=\"server1\"} 0.0\n"), t);
        assertTrue(t.contains("baton_raft_term 7.0\n"), t);
        assertTrue(t.contains("baton_raft_failures_tolerated 0.0\n"), t);
        assertTrue(t.contains("baton_status_from_leader 1.0\n"), t);
    }

    @Test
    void withoutALeaderTheRaftFiguresAreLeftOutAndTheStatusSaysSo() throws Exception {
        ClusterStatus own = status().toBuilder().clearRaft().setWarning("no leader answered").build();
        String t = text(own, OWNER);
        assertTrue(t.contains("baton_status_from_leader 0.0\n"), t);
        assertFalse(t.contains("baton_raft_term "), t);
        assertFalse(t.contains("baton_raft_failures_tolerated "), t);
    }
}

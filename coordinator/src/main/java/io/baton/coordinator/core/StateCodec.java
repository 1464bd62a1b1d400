package io.baton.coordinator.core;

import io.baton.proto.ClusterStateProto;
import io.baton.proto.FailureRecord;
import io.baton.proto.GroupStateProto;
import io.baton.proto.NodeReportEntry;
import io.baton.proto.NodeStateProto;
import io.baton.proto.ReplicaEntry;

/** Converts the replicated state to and from its protobuf form (snapshots, status answers). */
public final class StateCodec {
    private StateCodec() {}

    public static ClusterStateProto toProto(ClusterState s) {
        ClusterStateProto.Builder b = ClusterStateProto.newBuilder().setNextEventSeq(s.nextEventSeq)
                .setAlertsDeliveredSeq(s.alertsDeliveredSeq).setProtocolVersion(s.protocolVersion);
        for (GroupState g : s.groups.values()) {
            GroupStateProto.Builder gb = GroupStateProto.newBuilder()
                    .setName(g.name).setOwner(g.owner == null ? "" : g.owner).setEpoch(g.epoch)
                    .setPhase(g.phase.toProto()).setMoveTarget(g.moveTarget == null ? "" : g.moveTarget)
                    .setAdminStopped(g.adminStopped).addAllFailedOn(g.failures.keySet())
                    .setMaintenance(g.maintenance).addAllFailoverWallMs(g.failoverWallMs)
                    .setHold(g.hold == null ? "" : g.hold).setClears(g.clears)
                    .setTakeovers(g.takeovers).setMoves(g.moves);
            g.failures.values().forEach(f -> gb.addFailures(FailureRecord.newBuilder()
                    .setNode(f.node()).setWallTimeMs(f.wallTimeMs()).setReason(f.reason())));
            g.reports.forEach((node, r) -> gb.addReports(NodeReportEntry.newBuilder().setNode(node).setReport(r)));
            g.replicas.forEach((node, r) -> gb.addReplicas(ReplicaEntry.newBuilder().setNode(node).setState(r.toProto())));
            b.addGroups(gb);
        }
        for (NodeState n : s.nodes.values()) {
            b.addNodes(NodeStateProto.newBuilder().setId(n.id).setAlive(n.alive)
                    .setLastHeartbeatWallMs(n.lastHeartbeatWallMs).setIncarnation(n.incarnation).setSeq(n.seq)
                    .setStandby(n.standby).setAssignedIncarnation(n.assignedIncarnation).setBoot(n.boot)
                    .setReplicaBehind(n.lag.behind())
                    .setLaggingHeartbeats(n.lag.laggingInARow()).setReplicaLag(n.lag.lag())
                    .setCertificateNotAfterMs(n.certificateNotAfterMs).setCaNotAfterMs(n.caNotAfterMs)
                    .setConfigHash(n.configHash).setProtocolSupported(n.protocolSupported)
                    .setConfigVersion(n.configVersion));
        }
        b.addAllEvents(s.events);
        if (s.membership != null) {
            b.setMembership(s.membership);
        }
        if (s.appliedConfig != null) {
            b.setAppliedConfig(s.appliedConfig);
        }
        return b.build();
    }

    /**
     * Rebuilds a state from a snapshot, on top of the initial state of the cluster file's topology
     * {@code file} (with the snapshot's membership, if an operator set one): groups or nodes added to
     * the cluster file since the snapshot start fresh, removed ones are dropped.
     */
    public static ClusterState fromProto(ClusterStateProto p, Topology file) {
        // An operator's membership, when the state has one, says which nodes and members there are.
        // So does an applied configuration of which groups there are.
        Topology topology = ClusterState.compose(file, p.hasAppliedConfig() ? p.getAppliedConfig() : null,
                p.hasMembership() ? p.getMembership() : null);
        ClusterState s = ClusterState.initial(topology);
        if (p.hasMembership()) {
            s.setMembership(p.getMembership());
        }
        if (p.hasAppliedConfig()) {
            s.setAppliedConfig(p.getAppliedConfig());
        }
        for (GroupStateProto gp : p.getGroupsList()) {
            GroupState g = s.groups.get(gp.getName());
            if (g == null) {
                continue;
            }
            g.owner = gp.getOwner().isEmpty() ? null : gp.getOwner();
            g.epoch = gp.getEpoch();
            g.phase = Phase.fromProto(gp.getPhase());
            g.moveTarget = gp.getMoveTarget().isEmpty() ? null : gp.getMoveTarget();
            g.adminStopped = gp.getAdminStopped();
            for (FailureRecord f : gp.getFailuresList()) {
                g.failures.put(f.getNode(), new Failure(f.getNode(), f.getWallTimeMs(), f.getReason()));
            }
            // A snapshot from before failure records lists failed_on alone. Those failures are of unknown
            // age: wall time 0 keeps them until an operator clears them (expiring them at once could start
            // the group again on a node that just failed it; keeping them costs at worst a manual clear).
            for (String node : gp.getFailedOnList()) {
                g.failures.putIfAbsent(node, new Failure(node, 0, ""));
            }
            g.failoverWallMs.addAll(gp.getFailoverWallMsList());
            g.maintenance = gp.getMaintenance();
            g.hold = gp.getHold().isEmpty() ? null : gp.getHold();
            g.clears = gp.getClears();
            g.takeovers = gp.getTakeovers();
            g.moves = gp.getMoves();
            gp.getReportsList().forEach(e -> g.reports.put(e.getNode(), e.getReport()));
            for (ReplicaEntry e : gp.getReplicasList()) {
                Replica r = Replica.fromProto(e.getState());
                // A member removed from the group since the snapshot has no replica here any more.
                if (r != null && topology.group(g.name).map(spec -> spec.members().contains(e.getNode())).orElse(false)) {
                    g.replicas.put(e.getNode(), r);
                }
            }
        }
        for (NodeStateProto np : p.getNodesList()) {
            NodeState n = s.nodes.get(np.getId());
            if (n == null) {
                continue;
            }
            n.alive = np.getAlive();
            n.lastHeartbeatWallMs = np.getLastHeartbeatWallMs();
            n.incarnation = np.getIncarnation();
            n.seq = np.getSeq();
            n.standby = np.getStandby();
            n.assignedIncarnation = np.getAssignedIncarnation();
            n.boot = np.getBoot();
            n.lag = new ReplicaLag.State(np.getLaggingHeartbeats(), np.getReplicaBehind(), np.getReplicaLag());
            n.certificateNotAfterMs = np.getCertificateNotAfterMs();
            n.caNotAfterMs = np.getCaNotAfterMs();
            n.configHash = np.getConfigHash();
            n.protocolSupported = np.getProtocolSupported();
            n.configVersion = np.getConfigVersion();
        }
        s.events.addAll(p.getEventsList());
        s.nextEventSeq = Math.max(1, p.getNextEventSeq());
        s.alertsDeliveredSeq = p.getAlertsDeliveredSeq();
        s.protocolVersion = p.getProtocolVersion();
        return s;
    }
}

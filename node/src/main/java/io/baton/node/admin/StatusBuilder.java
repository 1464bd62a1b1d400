package io.baton.node.admin;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.GroupState;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.config.NodeConfig;
import io.baton.proto.GroupReport;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeGroupStatus;
import io.baton.proto.admin.NodeStatus;

/** Builds the status answer from the cluster file and this node's replica of the state. */
public final class StatusBuilder {
    private StatusBuilder() {}

    public static ClusterStatus build(ClusterConfig config, ClusterState state, String self, String leader) {
        ClusterStatus.Builder b = ClusterStatus.newBuilder()
                .setCluster(config.name()).setLeader(leader).setAnsweredBy(self);
        for (NodeConfig n : config.nodes()) {
            boolean alive = state.node(n.id()).map(ns -> ns.alive()).orElse(false);
            String raftRole = n.id().equals(leader) ? "leader" : leader.isEmpty() ? "unknown" : alive ? "follower" : "unknown";
            b.addNodes(NodeStatus.newBuilder().setId(n.id()).setRole(n.role().name().toLowerCase())
                    .setZone(n.zone() == null ? "" : n.zone()).setAlive(alive).setRaftRole(raftRole)
                    .setRaftAddress(n.raft().toString()).setAdminAddress(n.admin().toString()));
        }
        for (GroupConfig g : config.groups()) {
            GroupState gs = state.group(g.name()).orElse(null);
            GroupStatus.Builder gb = GroupStatus.newBuilder().setName(g.name()).addAllPreference(g.nodes());
            if (gs != null) {
                gb.setOwner(gs.owner() == null ? "" : gs.owner()).setEpoch(gs.epoch()).setPhase(gs.phase().toProto())
                        .setMoveTarget(gs.moveTarget() == null ? "" : gs.moveTarget())
                        .setAdminStopped(gs.adminStopped()).addAllFailedOn(gs.failedOn());
                for (String member : g.nodes()) {
                    GroupReport r = gs.reports().get(member);
                    if (r != null) {
                        gb.addNodes(NodeGroupStatus.newBuilder().setNode(member).setReport(r));
                    }
                }
            }
            b.addGroups(gb);
        }
        return b.build();
    }
}

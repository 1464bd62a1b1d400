package io.baton.node.admin;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.core.Replica;
import io.baton.node.config.MirrorDiskResourceConfig;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.config.NodeConfig;
import io.baton.proto.GroupReport;
import io.baton.proto.MirrorPeerReport;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeGroupStatus;
import io.baton.proto.admin.NodeStatus;
import io.baton.proto.admin.ReplicaStatus;
import java.util.Optional;

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
            GroupStatus.Builder gb = GroupStatus.newBuilder().setName(g.name()).addAllPreference(g.nodes())
                    .setMirrored(g.hasMirrorDisk());
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
                if (gb.getMirrored()) {
                    for (String member : g.nodes()) {
                        gb.addReplicas(replica(gs, member));
                    }
                }
            }
            b.addGroups(gb);
        }
        return b.build();
    }

    /** A member's committed replica state, with what the owner's mirror disk reports of it (resync progress). */
    private static ReplicaStatus replica(GroupState gs, String member) {
        Replica state = gs.replica(member);
        ReplicaStatus.Builder b = ReplicaStatus.newBuilder().setNode(member)
                .setState(state == null ? ReplicaStateProto.REPLICA_UNKNOWN : state.toProto());
        ownerSees(gs, member).ifPresent(b::setPeer);
        return b.build();
    }

    /** The owner's latest report of {@code peer}, from its mirror disk resource, for the current epoch only. */
    private static Optional<MirrorPeerReport> ownerSees(GroupState gs, String peer) {
        if (gs.owner() == null || gs.owner().equals(peer)) {
            return Optional.empty();
        }
        GroupReport r = gs.reports().get(gs.owner());
        if (r == null || r.getEpoch() != gs.epoch()) {
            return Optional.empty();
        }
        return r.getResourcesList().stream().filter(res -> MirrorDiskResourceConfig.TYPE.equals(res.getType()))
                .flatMap(res -> res.getMirrorList().stream()).filter(p -> p.getPeer().equals(peer)).findFirst();
    }
}

package io.baton.node.cli;

import io.baton.proto.ActivityProto;
import io.baton.proto.GroupReport;
import io.baton.proto.PhaseProto;
import io.baton.proto.ResourceReport;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeGroupStatus;
import io.baton.proto.admin.NodeStatus;

/** Sample statuses for tests. */
final class Clusters {
    private Clusters() {
    }

    static NodeStatus node(String id, String role, String zone, boolean alive, String raft) {
        return NodeStatus.newBuilder().setId(id).setRole(role).setZone(zone).setAlive(alive).setRaftRole(raft)
                .setRaftAddress(id + ":7400").setAdminAddress(id + ":7401").build();
    }

    static NodeGroupStatus report(String node, long epoch, ActivityProto activity, String message,
            ResourceReport... resources) {
        return NodeGroupStatus.newBuilder().setNode(node).setReport(GroupReport.newBuilder().setEpoch(epoch)
                .setActivity(activity).setMessage(message).addAllResources(java.util.List.of(resources))).build();
    }

    static ResourceReport resource(String name, String state, String detail) {
        return ResourceReport.newBuilder().setName(name).setType("script").setState(state).setDetail(detail).build();
    }

    static GroupStatus group(String name, String owner, long epoch, PhaseProto phase) {
        return GroupStatus.newBuilder().setName(name).setOwner(owner).setEpoch(epoch).setPhase(phase).build();
    }

    /** A three-node cluster with web online on server1 and db stopped. */
    static ClusterStatus sample() {
        return ClusterStatus.newBuilder().setCluster("prod").setLeader("server1").setAnsweredBy("server2")
                .addNodes(node("server1", "data", "zone-a", true, "leader"))
                .addNodes(node("server2", "data", "zone-b", true, "follower"))
                .addNodes(node("witness", "witness", "zone-c", false, ""))
                .addGroups(group("web", "server1", 7, PhaseProto.PHASE_ONLINE).toBuilder()
                        .addNodes(report("server1", 7, ActivityProto.ACTIVITY_ACTIVE, "",
                                resource("vip", "active", "10.0.0.10/24 on eth0"), resource("app", "active", "")))
                        .addNodes(report("server2", 7, ActivityProto.ACTIVITY_INACTIVE, "")))
                .addGroups(group("db", "", 3, PhaseProto.PHASE_OFFLINE).toBuilder().setAdminStopped(true))
                .build();
    }

    /**
     * sample()'s nodes and {@code n} groups app-001, app-002, ...: online with their owner active and
     * the other member inactive, owners alternating between server1 and server2.
     */
    static ClusterStatus many(int n) {
        ClusterStatus.Builder b = sample().toBuilder().clearGroups();
        for (int i = 1; i <= n; i++) {
            String owner = i % 2 == 1 ? "server1" : "server2";
            String other = i % 2 == 1 ? "server2" : "server1";
            b.addGroups(group(String.format("app-%03d", i), owner, i, PhaseProto.PHASE_ONLINE).toBuilder()
                    .addNodes(report(owner, i, ActivityProto.ACTIVITY_ACTIVE, "", resource("app", "active", "")))
                    .addNodes(report(other, i, ActivityProto.ACTIVITY_INACTIVE, "")));
        }
        return b.build();
    }

    /** sample() with web in the given state. */
    static ClusterStatus withWeb(String owner, long epoch, PhaseProto phase) {
        ClusterStatus s = sample();
        return s.toBuilder().setGroups(0, s.getGroups(0).toBuilder().setOwner(owner).setEpoch(epoch).setPhase(phase))
                .build();
    }
}

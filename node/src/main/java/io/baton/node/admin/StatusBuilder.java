package io.baton.node.admin;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.Failure;
import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.core.NodeState;
import io.baton.coordinator.core.Replica;
import io.baton.node.config.MirrorDiskResourceConfig;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.membership.GroupMembership;
import io.baton.node.membership.Members;
import io.baton.proto.MemberProto;
import io.baton.proto.MembershipProto;
import io.baton.proto.FailureRecord;
import io.baton.proto.FollowerContact;
import io.baton.proto.GroupReport;
import io.baton.proto.MirrorPeerReport;
import io.baton.proto.RaftContact;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeGroupStatus;
import io.baton.proto.admin.NodeStatus;
import io.baton.proto.admin.RaftFollower;
import io.baton.proto.admin.RaftHealth;
import io.baton.proto.admin.ReplicaStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Builds the status answer from the cluster file and this node's replica of the state. */
public final class StatusBuilder {
    private StatusBuilder() {}

    public static ClusterStatus build(ClusterConfig config, ClusterState state, String self, String leader) {
        return build(config, state, self, leader, Optional.empty());
    }

    /**
     * A follower the leader heard within this window is in contact. The leader sends it an
     * AppendEntries or a heartbeat at least every quarter of the election timeout; the window leaves
     * room for GC and scheduling pauses, and a link that is really down shows within a second.
     */
    public static Duration contactWindow(ClusterConfig config) {
        Duration three = config.electionTimeout().multipliedBy(3);
        return three.compareTo(MIN_CONTACT_WINDOW) > 0 ? three : MIN_CONTACT_WINDOW;
    }

    private static final Duration MIN_CONTACT_WINDOW = Duration.ofSeconds(1);

    /**
     * A follower whose commit index is more than this many entries behind the leader's is not in
     * contact, however recently it answered: heartbeats are answered even by a follower whose log
     * appender died, and a cluster that counts it survives one failure fewer than it says.
     */
    public static final long REPLICA_BEHIND_MAX = 50;

    /** As above, with the leader's contact with its followers when the leader reported it. */
    public static ClusterStatus build(ClusterConfig config, ClusterState state, String self, String leader,
                                      Optional<RaftContact> contact) {
        MembershipProto live = Members.live(config, state.membership());
        ClusterStatus.Builder b = ClusterStatus.newBuilder()
                .setCluster(config.name()).setLeader(leader).setAnsweredBy(self)
                .setRaft(health(config, live, contact))
                .setProtocolVersion(state.protocolVersion());
        b.setMembershipVersion(live.getVersion()).setMembershipMismatch(fileDiffers(config, live));
        state.appliedConfig().ifPresent(c -> b.setConfigVersion(c.getVersion()).setConfigAppliedHash(c.getSha256()));
        for (MemberProto n : live.getNodesList()) {
            boolean alive = state.node(n.getId()).map(NodeState::alive).orElse(false);
            boolean standby = state.node(n.getId()).map(NodeState::standby).orElse(false);
            long certificateNotAfter = state.node(n.getId()).map(NodeState::certificateNotAfterMs).orElse(0L);
            long caNotAfter = state.node(n.getId()).map(NodeState::caNotAfterMs).orElse(0L);
            String configHash = state.node(n.getId()).map(NodeState::configHash).orElse("");
            int protocolSupported = state.node(n.getId()).map(NodeState::protocolSupported).orElse(0);
            long configVersion = state.node(n.getId()).map(NodeState::configVersion).orElse(0L);
            String raftRole = n.getId().equals(leader) ? "leader" : leader.isEmpty() ? "unknown" : alive ? "follower" : "unknown";
            b.addNodes(NodeStatus.newBuilder().setId(n.getId()).setRole(n.getWitness() ? "witness" : "data")
                    .setZone(n.getZone()).setAlive(alive).setRaftRole(raftRole)
                    .setRaftAddress(n.getRaft()).setAdminAddress(n.getAdmin()).setStandby(standby)
                    .setCertificateNotAfterMs(certificateNotAfter).setCaNotAfterMs(caNotAfter)
                    .setConfigHash(configHash).setProtocolSupported(protocolSupported).setConfigVersion(configVersion));
        }
        GroupMembership membership = GroupMembership.of(live);
        for (GroupConfig g : config.groups()) {
            GroupState gs = state.group(g.name()).orElse(null);
            List<String> members = membership.members(g);
            GroupStatus.Builder gb = GroupStatus.newBuilder().setName(g.name()).addAllPreference(members)
                    .setMirrored(g.hasMirrorDisk());
            if (gs != null) {
                gb.setOwner(gs.owner() == null ? "" : gs.owner()).setEpoch(gs.epoch()).setPhase(gs.phase().toProto())
                        .setMoveTarget(gs.moveTarget() == null ? "" : gs.moveTarget())
                        .setAdminStopped(gs.adminStopped()).addAllFailedOn(gs.failedOn())
                        .setMaintenance(gs.maintenance()).setHeld(gs.held())
                        .setTakeovers(gs.takeovers()).setMoves(gs.moves())
                        .setHoldReason(gs.held() ? gs.holdReason() : "");
                for (Failure f : gs.failures()) {
                    gb.addFailures(FailureRecord.newBuilder().setNode(f.node()).setWallTimeMs(f.wallTimeMs())
                            .setReason(f.reason()));
                }
                ownerReport(gs).ifPresent(r -> gb.setDegraded(r.getDegraded()).addAllWarnings(r.getWarningsList()));
                for (String member : members) {
                    GroupReport r = gs.reports().get(member);
                    if (r != null) {
                        gb.addNodes(NodeGroupStatus.newBuilder().setNode(member).setReport(r));
                    }
                }
                if (gb.getMirrored()) {
                    for (String member : members) {
                        gb.addReplicas(replica(gs, member));
                    }
                }
            }
            b.addGroups(gb);
        }
        return b.build();
    }

    /** How many voters the leader is in contact with, and so how many more failures the cluster survives. */
    static RaftHealth health(ClusterConfig config, Optional<RaftContact> contact) {
        return health(config, Members.bootstrap(config), contact);
    }

    /** {@code live}: the membership, whose nodes are the voters. */
    static RaftHealth health(ClusterConfig config, MembershipProto live, Optional<RaftContact> contact) {
        if (contact.isEmpty()) {
            return RaftHealth.newBuilder().setKnown(false).build();
        }
        RaftContact c = contact.get();
        long window = contactWindow(config).toMillis();
        RaftHealth.Builder h = RaftHealth.newBuilder().setKnown(true).setLeader(c.getLeader()).setTerm(c.getTerm())
                .setContactWindowMs(window).setVoters(live.getNodesCount());
        int inContact = 1;
        for (MemberProto n : live.getNodesList()) {
            if (n.getId().equals(c.getLeader())) {
                continue;
            }
            Optional<FollowerContact> follower = c.getFollowersList().stream()
                    .filter(f -> f.getNode().equals(n.getId())).findFirst();
            long heard = follower.map(FollowerContact::getLastHeardMs).orElse(-1L);
            long behind = follower.map(f -> behind(c, f)).orElse(-1L);
            // Ratis starts a follower's clock when the leader takes over: one not heard since then is not in contact.
            boolean heardThisTerm = c.getLeaderForMs() == 0 || heard < c.getLeaderForMs();
            boolean ok = heard >= 0 && heard <= window && heardThisTerm && behind <= REPLICA_BEHIND_MAX;
            inContact += ok ? 1 : 0;
            h.addFollowers(RaftFollower.newBuilder().setNode(n.getId()).setLastHeardMs(heard).setInContact(ok)
                    .setBehind(behind));
        }
        int majority = live.getNodesCount() / 2 + 1;
        return h.setInContact(inContact).setFailuresTolerated(Math.max(0, inContact - majority)).build();
    }

    /**
     * What differs between the cluster file's nodes and the live membership, once an operator changed
     * it ("" when they agree, or before any change): the file is then only the bootstrap list, and a
     * node started from it alone would not know every member.
     */
    static String fileDiffers(ClusterConfig config, MembershipProto live) {
        if (live.getVersion() == 0) {
            return "";
        }
        java.util.Set<String> file = new java.util.TreeSet<>();
        config.nodes().forEach(n -> file.add(n.id()));
        java.util.Set<String> members = new java.util.TreeSet<>(Members.ids(live));
        if (file.equals(members)) {
            return "";
        }
        java.util.Set<String> onlyFile = new java.util.TreeSet<>(file);
        onlyFile.removeAll(members);
        java.util.Set<String> onlyLive = new java.util.TreeSet<>(members);
        onlyLive.removeAll(file);
        List<String> parts = new java.util.ArrayList<>();
        if (!onlyFile.isEmpty()) {
            parts.add("it lists " + String.join(", ", onlyFile) + ", which the cluster no longer has");
        }
        if (!onlyLive.isEmpty()) {
            parts.add("it lacks " + String.join(", ", onlyLive));
        }
        return "membership mismatch: the cluster file's nodes differ from the live membership (version "
                + live.getVersion() + "): " + String.join("; ", parts) + "; update nodes: in the file on every node";
    }

    /** How many entries a follower's commit index is behind the leader's; -1 if the leader did not say. */
    static long behind(RaftContact c, FollowerContact f) {
        if (c.getCommitIndex() <= 0 || f.getCommitIndex() < 0) {
            return -1;
        }
        return Math.max(0, c.getCommitIndex() - f.getCommitIndex());
    }

    /** A member's committed replica state, with what the owner's mirror disk reports of it (resync progress). */
    private static ReplicaStatus replica(GroupState gs, String member) {
        Replica state = gs.replica(member);
        ReplicaStatus.Builder b = ReplicaStatus.newBuilder().setNode(member)
                .setState(state == null ? ReplicaStateProto.REPLICA_UNKNOWN : state.toProto());
        ownerSees(gs, member).ifPresent(b::setPeer);
        return b.build();
    }

    /** The owner's latest report of the group at the current epoch: what it sees now (degraded, warnings). */
    private static Optional<GroupReport> ownerReport(GroupState gs) {
        if (gs.owner() == null) {
            return Optional.empty();
        }
        GroupReport r = gs.reports().get(gs.owner());
        return r == null || r.getEpoch() != gs.epoch() ? Optional.empty() : Optional.of(r);
    }

    /** The owner's latest report of {@code peer}, from its mirror disk resource, for the current epoch only. */
    private static Optional<MirrorPeerReport> ownerSees(GroupState gs, String peer) {
        if (gs.owner() == null || gs.owner().equals(peer)) {
            return Optional.empty();
        }
        Optional<GroupReport> owner = ownerReport(gs);
        if (owner.isEmpty()) {
            return Optional.empty();
        }
        return owner.get().getResourcesList().stream().filter(res -> MirrorDiskResourceConfig.TYPE.equals(res.getType()))
                .flatMap(res -> res.getMirrorList().stream()).filter(p -> p.getPeer().equals(peer)).findFirst();
    }
}

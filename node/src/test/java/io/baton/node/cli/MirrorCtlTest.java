package io.baton.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.baton.proto.MirrorPeerReport;
import io.baton.proto.PhaseProto;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.ForceActivateRequest;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeStatus;
import io.baton.proto.admin.ReplicaStatus;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code batonctl mirror status} and {@code batonctl force-activate}, against a fake admin server on loopback. */
class MirrorCtlTest {
    private FakeAdmin admin;

    /** disk on server1 (epoch 4) resyncing server2; plain has no mirror disk. */
    static ClusterStatus mirrored() {
        ReplicaStatus owner = ReplicaStatus.newBuilder().setNode("server1")
                .setState(ReplicaStateProto.REPLICA_UP_TO_DATE).build();
        ReplicaStatus syncing = ReplicaStatus.newBuilder().setNode("server2").setState(ReplicaStateProto.REPLICA_OUTDATED)
                .setPeer(MirrorPeerReport.newBuilder().setPeer("server2").setConnected(true).setSyncing(true)
                        .setProgressPercent(42).setBytesBehind(1_288_490_189L)).build();
        ReplicaStatus cut = ReplicaStatus.newBuilder().setNode("server3").setState(ReplicaStateProto.REPLICA_OUTDATED)
                .setPeer(MirrorPeerReport.newBuilder().setPeer("server3").setConnected(false)
                        .setDetail("peer refused: node server3 refuses primary server1: it offers 1 GiB, this replica is 2 GiB"))
                .build();
        return ClusterStatus.newBuilder().setCluster("prod").setLeader("witness").setAnsweredBy("server1")
                .addNodes(NodeStatus.newBuilder().setId("server1").setAlive(true))
                .addNodes(NodeStatus.newBuilder().setId("server2").setAlive(true))
                .addNodes(NodeStatus.newBuilder().setId("server3").setAlive(true))
                .addGroups(GroupStatus.newBuilder().setName("disk").setOwner("server1").setEpoch(4)
                        .setPhase(PhaseProto.PHASE_ONLINE).setMirrored(true)
                        .addReplicas(owner).addReplicas(syncing).addReplicas(cut))
                .addGroups(GroupStatus.newBuilder().setName("plain").setPhase(PhaseProto.PHASE_OFFLINE))
                .build();
    }

    @BeforeEach
    void startServer() throws Exception {
        admin = new FakeAdmin().start();
        admin.status = mirrored();
    }

    @AfterEach
    void stopServer() throws Exception {
        admin.close();
    }

    private BatonCtlTest.Result run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--endpoint";
        all[1] = admin.endpoint();
        System.arraycopy(args, 0, all, 2, args.length);
        return BatonCtlTest.run(all);
    }

    @Test
    void mirrorStatusShowsEachReplicaAndSyncProgress() {
        BatonCtlTest.Result r = run("mirror", "status");
        assertEquals(0, r.code(), r.err());
        assertEquals("""
                GROUP  NODE     STATE                         CONNECTED
                disk   server1  UpToDate                      owner
                disk   server2  Syncing 42% (1.2 GiB behind)  yes
                disk   server3  Outdated                      no: peer refused: node server3 refuses primary server1: it offers 1 GiB, this replica is 2 GiB
                """, r.out());
    }

    @Test
    void mirrorStatusOfOneGroupAndAsJson() throws Exception {
        assertEquals(0, run("mirror", "status", "disk").code());
        BatonCtlTest.Result r = run("-o", "json", "mirror", "status", "disk");
        assertEquals(0, r.code(), r.err());
        ClusterStatus.Builder parsed = ClusterStatus.newBuilder();
        JsonFormat.parser().merge(r.out(), parsed);
        assertEquals(List.of(mirrored().getGroups(0)), parsed.getGroupsList());
        assertTrue(r.out().contains("\"progress_percent\": 42"), r.out());
    }

    @Test
    void mirrorStatusOfAGroupThatIsUnknownOrHasNoMirrorIsOneLine() {
        BatonCtlTest.Result unknown = run("mirror", "status", "nope");
        assertEquals(1, unknown.code());
        assertEquals(List.of("batonctl: unknown group 'nope'; groups: disk, plain"), unknown.errLines());
        BatonCtlTest.Result plain = run("mirror", "status", "plain");
        assertEquals(1, plain.code());
        assertEquals(List.of("batonctl: group 'plain' has no mirror disk; mirrored groups: disk"), plain.errLines());
    }

    @Test
    void forceActivateSendsTheConfirmationAndPrintsTheReply() {
        BatonCtlTest.Result r = run("force-activate", "disk", "--on", "server2", "--accept-data-loss");
        assertEquals(0, r.code(), r.err());
        assertEquals("force-activated disk on server2 at epoch 8\n", r.out());
        assertEquals(List.of(ForceActivateRequest.newBuilder().setGroup("disk").setOn("server2").setAcceptDataLoss(true)
                .build()), admin.requests);
    }

    @Test
    void forceActivateWithoutTheFlagIsAUsageErrorAndSendsNothing() {
        BatonCtlTest.Result r = run("force-activate", "disk", "--on", "server2");
        assertEquals(2, r.code(), r.toString());
        assertEquals("batonctl: force-activate loses the writes that server2's replica of disk lacks;"
                + " add --accept-data-loss to accept that", r.errLines().get(0));
        assertTrue(r.err().contains("Usage: batonctl force-activate"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertEquals(List.of(), admin.requests);
        assertEquals(2, run("force-activate", "disk", "--accept-data-loss").code(), "--on is required");
    }

    @Test
    void aRefusedForceActivateIsOneLine() {
        admin.onForceActivate = req -> {
            throw Status.FAILED_PRECONDITION.withDescription("node 'server3''s replica of group 'disk' is Inconsistent")
                    .asRuntimeException();
        };
        BatonCtlTest.Result r = run("force-activate", "disk", "--on", "server3", "--accept-data-loss");
        assertEquals(1, r.code());
        assertEquals(List.of("batonctl: node 'server3''s replica of group 'disk' is Inconsistent"), r.errLines());
    }

    @Test
    void statusShowsReplicaStatesOnNodeLinesAndWhyAGroupWaits() {
        ClusterStatus down = mirrored().toBuilder()
                .setNodes(0, NodeStatus.newBuilder().setId("server1").setAlive(false))
                .setGroups(0, mirrored().getGroups(0).toBuilder().setOwner("").setPhase(PhaseProto.PHASE_OFFLINE)
                        .addNodes(io.baton.proto.admin.NodeGroupStatus.newBuilder().setNode("server2")
                                .setReport(io.baton.proto.GroupReport.newBuilder().setGroup("disk").setEpoch(4))))
                .build();
        String text = StatusTable.render(down);
        assertTrue(text.contains("waits for an UpToDate replica (see 'batonctl mirror status disk')"), text);
        assertTrue(text.contains("server2  inactive, replica Syncing 42% (1.2 GiB behind)"), text);
        assertFalse(StatusTable.render(mirrored()).contains("waits for"), "the owner is up");
    }
}

package io.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.ratis.RaftNode;
import io.baton.node.security.Issued;
import io.baton.node.security.PemFiles;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Heartbeat;
import io.baton.proto.ResultCode;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.MoveRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, finding 9: a node's heartbeat incarnation came from its wall clock at start. A node that
 * once started with its clock far ahead and restarted with the right time, or a forged heartbeat
 * with a huge incarnation, made the node's real reports be ignored from then on (a move to it stayed
 * {@code starting}). Here a real cluster: server2 starts with its wall clock a year ahead (the
 * daemon's {@code baton.wall_clock_offset_ms}), restarts with it right, and must still take the
 * group over; then a plain Ratis client forges a heartbeat of server1 with a huge incarnation (with
 * TLS, holding server2's stolen certificate: refused as proposed in another node's name), and a move
 * back to server1 must still complete.
 */
class IncarnationIT {
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration STARTUP = Duration.ofSeconds(60);
    static final Duration MOVE = Duration.ofSeconds(30);
    static final String SUBNET = "127.0.73";
    static final long YEAR_MS = Duration.ofDays(365).toMillis();

    Path dir;
    LocalCluster cluster;

    @BeforeEach
    void workDir() throws Exception {
        // Kept after the run (under target/) so that a failure's node logs can be read.
        dir = RunDirs.fresh("incarnation");
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aRestartWithTheClockMovedBackAndAForgedHeartbeatDoNotSilenceANodesReports() throws Exception {
        cluster = new LocalCluster(dir, SUBNET, HEARTBEAT, LEASE);
        cluster.start("server1");
        cluster.start("server2", List.of("-Dbaton.wall_clock_offset_ms=" + YEAR_MS));
        cluster.start("witness");
        cluster.awaitAllUp(STARTUP);
        cluster.awaitOnline("server1", STARTUP);
        long epoch = cluster.group().orElseThrow().getEpoch();

        // server2's clock is put right (a year back) and the daemon restarted.
        cluster.terminate("server2");
        cluster.start("server2");
        cluster.awaitAllUp(STARTUP);

        cluster.admin("server1").move(MoveRequest.newBuilder().setGroup("web").setTo("server2").build());
        GroupStatus g = online("server2", "after server2 restarted with its clock a year back");
        assertEquals(epoch + 1, g.getEpoch());
        assertTrue(cluster.probeOpen("server2"));
        assertFalse(cluster.probeOpen("server1"));

        Command forged = Command.newBuilder().setWallTimeMs(System.currentTimeMillis()).setProposer("server1")
                .setHeartbeat(Heartbeat.newBuilder().setNode("server1").setIncarnation(Long.MAX_VALUE).setSeq(1))
                .build();
        if (cluster.tls()) {
            // With server2's stolen certificate: in server1's name the Raft port refuses it, in server2's
            // own the state machine does (a node heartbeats only for itself), and nothing changes.
            Exception refused = assertThrows(Exception.class, () -> forge(forged));
            assertTrue(chain(refused).contains("permission denied: node 'server2' proposed a command as 'server1'"),
                    chain(refused));
            CommandResult asItself = forge(forged.toBuilder().setProposer("server2").build());
            assertEquals(ResultCode.RESULT_PERMISSION_DENIED, asItself.getCode(), asItself::toString);
        } else {
            // Without TLS anyone may claim to be server1: the incarnation check refuses it.
            CommandResult claimed = forge(forged);
            assertEquals(ResultCode.RESULT_STALE, claimed.getCode(), claimed::toString);
        }

        cluster.admin("server2").move(MoveRequest.newBuilder().setGroup("web").setTo("server1").build());
        g = online("server1", "after a forged heartbeat of server1 with incarnation " + Long.MAX_VALUE);
        assertEquals(epoch + 2, g.getEpoch());
        assertTrue(cluster.probeOpen("server1"));
        assertFalse(cluster.probeOpen("server2"));
    }

    private static String chain(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (; t != null; t = t.getCause()) {
            s.append(t).append('\n');
        }
        return s.toString();
    }

    private GroupStatus online(String node, String when) {
        try {
            return cluster.awaitOnline(node, MOVE);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("web not online on " + node + " within " + MOVE.toSeconds() + " s " + when
                    + ": " + cluster.group().map(Object::toString).orElse("no status") + "\n" + cluster.logTail(40), e);
        }
    }

    /**
     * Commits {@code command} with a plain Ratis client: without TLS, as anyone who can reach the Raft
     * port can; with TLS (the Raft port admits only members' node certificates), as a member whose
     * certificate and key were stolen, here server2's.
     */
    private CommandResult forge(Command command) throws Exception {
        List<RaftPeer> peers = cluster.members().stream()
                .map(m -> RaftPeer.newBuilder().setId(m.id()).setAddress(m.ip() + ":7400").build()).toList();
        RaftProperties p = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        Parameters parameters = new Parameters();
        if (cluster.tls()) {
            Path tls = cluster.tlsDir();
            Issued stolen = PemFiles.read(tls.resolve("server2.crt"), tls.resolve("server2.key"));
            GrpcConfigKeys.TLS.setConf(parameters, new GrpcTlsConfig(stolen.key(), stolen.certificate(),
                    PemFiles.readCertificates(tls.resolve("ca.crt")), true));
        }
        try (RaftClient client = RaftClient.newBuilder()
                .setRaftGroup(RaftGroup.valueOf(RaftNode.groupId("it-" + SUBNET.replace('.', '-')), peers))
                .setProperties(p)
                .setParameters(parameters)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(10,
                        TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build()) {
            RaftClientReply reply = client.io().send(Message.valueOf(ByteString.copyFrom(command.toByteArray())));
            assertTrue(reply.isSuccess(), reply::toString);
            return CommandResult.parseFrom(reply.getMessage().getContent().toByteArray());
        }
    }
}

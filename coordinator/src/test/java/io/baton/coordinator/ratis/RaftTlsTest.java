package io.baton.coordinator.ratis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.coordinator.net.ConnectionLimits;
import io.baton.coordinator.ratis.InProcessCluster.Member;
import io.baton.coordinator.ratis.tls.RaftTls;
import io.baton.coordinator.ratis.tls.SwitchableKeys;
import io.baton.coordinator.ratis.tls.TestCertificates;
import io.baton.coordinator.ratis.tls.TestCertificates.Issued;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.ResultCode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.thirdparty.io.grpc.netty.GrpcSslContexts;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on the Raft port (issue 10): three real Ratis servers over TLS on loopback addresses of their
 * own (127.0.81.1–3) elect and commit; a Ratis client without a member's node certificate of the cluster's
 * CA cannot submit a command or use the admin protocol, and hostile bytes leave the node up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RaftTlsTest {
    static final List<String> HOSTS = List.of("127.0.81.1", "127.0.81.2", "127.0.81.3");
    /** Long enough that load on the test machine does not change the leader by itself. */
    private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(3);
    /** The Raft port's first-byte and handshake timeout in this test. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);

    private Issued ca;
    private Map<String, Issued> nodes;
    private InProcessCluster cluster;
    private Member leader;
    private long term;
    /** server1's certificate and CAs, replaced by {@link #aRenewedCertificateAndASecondCaReachTheRaftPort}. */
    private SwitchableKeys server1Keys;
    private final AtomicReference<List<X509Certificate>> server1Trusted = new AtomicReference<>();

    @BeforeAll
    void startCluster(@TempDir Path dir) throws IOException {
        ca = TestCertificates.ca("raft-tls-test CA");
        nodes = Map.of("server1", TestCertificates.node(ca, "server1", HOSTS.get(0)),
                "server2", TestCertificates.node(ca, "server2", HOSTS.get(1)),
                "witness", TestCertificates.node(ca, "witness", HOSTS.get(2)));
        RaftNode.Settings settings = new RaftNode.Settings(ELECTION_TIMEOUT, Duration.ofSeconds(2), 2000,
                new ConnectionLimits(256, 64, HANDSHAKE_TIMEOUT, Duration.ofMinutes(10)));
        server1Keys = new SwitchableKeys(nodes.get("server1"));
        server1Trusted.set(List.of(ca.certificate()));
        cluster = InProcessCluster.start(new InProcessCluster(dir, 2000, settings, HOSTS,
                id -> id.equals("server1") ? new RaftTls(server1Keys, server1Trusted::get, TestCertificates::nodeOf)
                        : TestCertificates.tls(nodes.get(id), ca)));
    }

    @AfterAll
    void stopCluster() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void settled() {
        leader = await("the witness leads").atMost(InProcessCluster.ELECTION_WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> cluster.readyLeader().filter(m -> m.id().equals("witness")), java.util.Optional::isPresent)
                .orElseThrow();
        term = leader.raft().currentTerm();
    }

    @Test
    void membersWithNodeCertificatesElectAndCommit() {
        Command heartbeat = InProcessCluster.heartbeat("server1", 1);
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", heartbeat).getCode());
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server2", InProcessCluster.heartbeat("server2", 1)).getCode());
        InProcessCluster.Applied applied = cluster.awaitConverged();
        assertTrue(applied.state().getNodesList().stream().anyMatch(n -> n.getId().equals("server2") && n.getSeq() == 1), applied.toString());
    }

    /** What each kind of outsider presents, as a Ratis client that trusts the cluster's CA. */
    private GrpcTlsConfig withCertificate(Issued own) {
        return new GrpcTlsConfig(own.key(), own.certificate(), List.of(ca.certificate()), true);
    }

    private RaftClient outsider(GrpcTlsConfig tls) {
        RaftProperties p = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        Parameters parameters = new Parameters();
        if (tls != null) {
            GrpcConfigKeys.TLS.setConf(parameters, tls);
        }
        return RaftClient.newBuilder().setRaftGroup(cluster.raftGroup()).setProperties(p).setParameters(parameters)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(2, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .setLeaderId(RaftPeerId.valueOf("witness")).build();
    }

    /**
     * The outsider sends a forged heartbeat for server1 with an absurd incarnation and asks for the
     * leadership to move; both fail and nothing changes.
     */
    private void assertRefused(GrpcTlsConfig tls, String expected) throws IOException {
        InProcessCluster.Applied before = cluster.awaitConverged();
        Command forged = InProcessCluster.stamped(Command.newBuilder().setHeartbeat(
                io.baton.proto.Heartbeat.newBuilder().setNode("server1").setIncarnation(Long.MAX_VALUE / 2).setSeq(1)));
        try (RaftClient client = outsider(tls)) {
            IOException sent = assertThrows(IOException.class,
                    () -> client.io().send(Message.valueOf(ByteString.copyFrom(forged.toByteArray()))));
            assertTrue(chain(sent).contains(expected), chain(sent));
            IOException transfer = assertThrows(IOException.class,
                    () -> client.admin().transferLeadership(RaftPeerId.valueOf("server1"), 2000));
            assertTrue(chain(transfer).contains(expected), chain(transfer));
        }
        assertEquals(before, cluster.awaitConverged());
        assertEquals(term, leader.raft().currentTerm());
        assertTrue(leader.raft().isLeaderReady());
    }

    private static String chain(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (; t != null; t = t.getCause()) {
            s.append(t).append('\n');
        }
        return s.toString();
    }

    @Test
    void aPlaintextClientCannotSubmit() throws IOException {
        assertRefused(null, "UNAVAILABLE: Network closed for unknown reason");
    }

    @Test
    void aTlsClientWithoutACertificateCannotSubmit() throws IOException {
        assertRefused(new GrpcTlsConfig(null, null, List.of(ca.certificate()), false), "TLSV1_ALERT_CERTIFICATE_REQUIRED");
    }

    @Test
    void aNodeCertificateOfAnotherCaCannotSubmit() throws IOException {
        Issued other = TestCertificates.ca("another CA");
        // The server asks for a certificate of the cluster's CA: the client has none to offer.
        assertRefused(withCertificate(TestCertificates.node(other, "server1", HOSTS.get(0))), "TLSV1_ALERT_CERTIFICATE_REQUIRED");
    }

    @Test
    void anExpiredNodeCertificateCannotSubmit() throws IOException {
        Instant now = Instant.now();
        Issued expired = TestCertificates.node(ca, "server1", HOSTS.get(0), now.minus(Duration.ofDays(2)),
                now.minus(Duration.ofDays(1)));
        assertRefused(withCertificate(expired), "SSLV3_ALERT_CERTIFICATE_EXPIRED");
    }

    @Test
    void anOperatorCertificateCannotSubmit() throws IOException {
        assertRefused(withCertificate(TestCertificates.operator(ca, "alice", "admin")), "SSLV3_ALERT_BAD_CERTIFICATE");
    }

    @Test
    void theNodeCertificateOfANonMemberCannotSubmit() throws IOException {
        assertRefused(withCertificate(TestCertificates.node(ca, "intruder", HOSTS.get(0))), "SSLV3_ALERT_BAD_CERTIFICATE");
    }

    /**
     * A member's certificate may vote and append only as that member: server2 asking the witness for a
     * vote as server1 is refused before Ratis reads it; as itself, the same request reaches Ratis.
     */
    @Test
    void aMemberCannotSendAServerRequestAsAnotherMember() throws Exception {
        Issued server2 = nodes.get("server2");
        SslContext ssl = GrpcSslContexts.forClient().keyManager(server2.key(), server2.certificate())
                .trustManager(ca.certificate()).build();
        ManagedChannel channel = NettyChannelBuilder.forAddress(HOSTS.get(2), cluster.peer("witness").port())
                .sslContext(ssl).build();
        try {
            var stub = RaftServerProtocolServiceGrpc.newBlockingStub(channel);
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> stub.withDeadlineAfter(5, TimeUnit.SECONDS).requestVote(vote("server1")));
            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
            assertEquals("permission denied: node 'server2' sent a request as 'server1'", refused.getStatus().getDescription());
            // A vote for term 0 is turned down by Ratis: it reached Ratis, and changes nothing.
            RequestVoteReplyProto reply = stub.withDeadlineAfter(5, TimeUnit.SECONDS).requestVote(vote("server2"));
            assertFalse(reply.getServerReply().getSuccess());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertEquals(term, leader.raft().currentTerm());
        assertTrue(leader.raft().isLeaderReady());
    }

    /**
     * A member's certificate proposes only in its member's name, and not the leader's decisions (issue
     * 10, item 7): server2 proposing as server1 is refused by the Raft port; as itself, a heartbeat for
     * server1 and a grant are committed but refused when applied, and nothing changes.
     */
    @Test
    void aMemberProposesOnlyInItsOwnNameAndNeverTheLeadersDecisions() throws Exception {
        InProcessCluster.Applied before = cluster.awaitConverged();
        Command forged = InProcessCluster.stamped(Command.newBuilder().setProposer("server1").setHeartbeat(
                io.baton.proto.Heartbeat.newBuilder().setNode("server1").setIncarnation(1).setSeq(99)));
        try (RaftClient client = outsider(withCertificate(nodes.get("server2")))) {
            IOException sent = assertThrows(IOException.class,
                    () -> client.io().send(Message.valueOf(ByteString.copyFrom(forged.toByteArray()))));
            assertTrue(chain(sent).contains("permission denied: node 'server2' proposed a command as 'server1'"),
                    chain(sent));
        }
        try (RaftClient client = outsider(withCertificate(nodes.get("server2")))) {
            CommandResult asItself = commit(client, forged.toBuilder().setProposer("server2").build());
            assertEquals(ResultCode.RESULT_PERMISSION_DENIED, asItself.getCode());
            assertEquals("permission denied: a heartbeat in the name of 'server1' proposed by server2", asItself.getMessage());
            Command grant = InProcessCluster.stamped(Command.newBuilder().setProposer("server2").setAppendedBy("server2")
                    .setGrant(io.baton.proto.Grant.newBuilder().setGroup("web").setNode("server2")));
            CommandResult granted = commit(client, grant);
            assertEquals(ResultCode.RESULT_PERMISSION_DENIED, granted.getCode());
            assertEquals("permission denied: a grant is the leader's decision; proposed by server2 while witness led",
                    granted.getMessage());
        }
        InProcessCluster.Applied after = cluster.awaitConverged();
        assertEquals(before.state().getGroupsList(), after.state().getGroupsList());
        assertFalse(after.state().getNodesList().stream().anyMatch(n -> n.getSeq() == 99), after.toString());
        assertEquals(term, leader.raft().currentTerm());
    }

    /**
     * A heartbeat read confirms a lease as a committed heartbeat does, so it too speaks only for the
     * node of the connection's certificate: server2 confirming server1's heartbeat is refused by the
     * Raft port as server1, and by the state machine as itself.
     */
    @Test
    void aMemberConfirmsOnlyItsOwnHeartbeatByARead() throws Exception {
        Command forged = InProcessCluster.stamped(Command.newBuilder().setProposer("server1").setHeartbeat(
                io.baton.proto.Heartbeat.newBuilder().setNode("server1").setIncarnation(1).setSeq(99)));
        try (RaftClient client = outsider(withCertificate(nodes.get("server2")))) {
            IOException read = assertThrows(IOException.class, () -> client.io().sendReadOnly(confirm(forged)));
            assertTrue(chain(read).contains("permission denied: node 'server2' proposed a command as 'server1'"),
                    chain(read));
            RaftClientReply asItself = client.io().sendReadOnly(confirm(forged.toBuilder().setProposer("server2").build()));
            assertTrue(asItself.isSuccess(), asItself::toString);
            CommandResult answer = io.baton.proto.LeaderView.parseFrom(asItself.getMessage().getContent().toByteArray())
                    .getConfirmation();
            assertEquals(ResultCode.RESULT_PERMISSION_DENIED, answer.getCode());
            assertTrue(answer.getMessage().contains("'server2' sent the heartbeat of node 'server1'"), answer.getMessage());
        }
    }

    private static Message confirm(Command heartbeat) {
        return Message.valueOf(ByteString.copyFrom(io.baton.proto.LeaderQuery.newBuilder().setConfirm(heartbeat).build()
                .toByteArray()));
    }

    private static CommandResult commit(RaftClient client, Command command) throws IOException {
        RaftClientReply reply = client.io().send(Message.valueOf(ByteString.copyFrom(command.toByteArray())));
        assertTrue(reply.isSuccess(), reply::toString);
        return CommandResult.parseFrom(reply.getMessage().getContent().toByteArray());
    }

    private static RequestVoteRequestProto vote(String as) {
        return RequestVoteRequestProto.newBuilder()
                .setServerRequest(RaftRpcRequestProto.newBuilder().setRequestorId(ByteString.copyFromUtf8(as))
                        .setReplyId(ByteString.copyFromUtf8("witness")).setCallId(1)
                        .setRaftGroupId(RaftGroupIdProto.newBuilder().setId(RaftNode.groupId(InProcessCluster.CLUSTER).toByteString())))
                .setCandidateTerm(0).build();
    }

    /**
     * Certificate rotation (item 5): the TLS contexts are built once, but each handshake asks for the
     * certificate and CAs in use, so a renewed certificate and a second CA reach connections made after
     * the change, while the connections already open (Raft's own) keep working.
     */
    @Test
    void aRenewedCertificateAndASecondCaReachTheRaftPort() throws Exception {
        InetSocketAddress server1 = new InetSocketAddress(HOSTS.get(0), cluster.peer("server1").port());
        Issued first = nodes.get("server1");
        Issued renewed = TestCertificates.node(ca, "server1", HOSTS.get(0));
        Issued nextCa = TestCertificates.ca("raft-tls-test next CA");
        Issued server2OfNextCa = TestCertificates.node(nextCa, "server2", HOSTS.get(1));
        try {
            assertEquals(first.certificate(), presentedBy(server1, nodes.get("server2"), ca));

            server1Keys.use(renewed);
            assertEquals(renewed.certificate(), presentedBy(server1, nodes.get("server2"), ca));

            assertThrows(IOException.class, () -> presentedBy(server1, server2OfNextCa, ca),
                    "a certificate of a CA server1 does not trust yet");
            server1Trusted.set(List.of(ca.certificate(), nextCa.certificate()));
            assertEquals(renewed.certificate(), presentedBy(server1, server2OfNextCa, ca));

            assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", InProcessCluster.heartbeat("server1", 3)).getCode());
            assertEquals(term, leader.raft().currentTerm());
        } finally {
            server1Keys.use(first);
            server1Trusted.set(List.of(ca.certificate()));
        }
    }

    /**
     * The certificate {@code server} presents to a TLS client with {@code own}'s certificate that trusts
     * {@code trusted}; throws if the server refuses the client (in TLS 1.3 that comes after the client's
     * side of the handshake: the server, having accepted, sends its HTTP/2 settings, else an alert).
     */
    private static X509Certificate presentedBy(InetSocketAddress server, Issued own, Issued trusted) throws Exception {
        KeyStore cas = KeyStore.getInstance("PKCS12");
        cas.load(null, null);
        cas.setCertificateEntry("ca", trusted.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(cas);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {new SwitchableKeys(own)}, tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.connect(server, 2000);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            if (socket.getInputStream().read() < 0) {
                throw new IOException("the server closed the connection after the handshake");
            }
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void randomBytesAndAHalfDoneHandshakeLeaveTheNodeUp() throws Exception {
        InetSocketAddress port = new InetSocketAddress(HOSTS.get(2), cluster.peer("witness").port());
        Random random = new Random(10);
        try (Socket noise = new Socket(); Socket halfDone = new Socket()) {
            noise.connect(port, 2000);
            byte[] bytes = new byte[64 * 1024];
            random.nextBytes(bytes);
            noise.getOutputStream().write(bytes);
            assertClosedByServer(noise);

            halfDone.connect(port, 2000);
            halfDone.getOutputStream().write(clientHello());
            // The server answers and waits for the rest of the handshake: it closes the connection once
            // the handshake timeout has passed.
            assertClosedByServer(halfDone);
        }
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", InProcessCluster.heartbeat("server1", 2)).getCode());
        assertEquals(term, leader.raft().currentTerm());
        assertTrue(leader.raft().isLeaderReady());
    }

    /**
     * The check documented in docs/security.md: {@code openssl s_client} without a client certificate
     * does not get through the handshake; with a member's certificate it does (so the failure is the
     * missing certificate, not something else).
     */
    @Test
    void opensslWithoutAClientCertificateFailsTheHandshake(@TempDir Path files) throws Exception {
        assumeTrue(onPath("openssl"), "openssl is not installed");
        Path caFile = pem(files.resolve("ca.crt"), "CERTIFICATE", ca.certificate().getEncoded());
        Issued server1 = nodes.get("server1");
        Path cert = pem(files.resolve("server1.crt"), "CERTIFICATE", server1.certificate().getEncoded());
        Path key = pem(files.resolve("server1.key"), "PRIVATE KEY", server1.key().getEncoded());
        String connect = HOSTS.get(2) + ":" + cluster.peer("witness").port();

        // -ign_eof: in TLS 1.3 the server's verdict on the client's certificate comes after the client
        // has finished its side of the handshake; s_client reads until the server closes.
        String refused = sClient("-connect", connect, "-CAfile", caFile.toString(), "-alpn", "h2", "-ign_eof");
        assertTrue(refused.contains("alert certificate required"), refused);

        String accepted = sClient("-connect", connect, "-CAfile", caFile.toString(), "-alpn", "h2",
                "-cert", cert.toString(), "-key", key.toString());
        assertTrue(accepted.contains("Verify return code: 0 (ok)"), accepted);
        assertFalse(accepted.contains("alert"), accepted);
        assertTrue(leader.raft().isLeaderReady());
    }

    private static boolean onPath(String command) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(d -> java.nio.file.Files.isExecutable(Path.of(d, command)));
    }

    private static Path pem(Path file, String type, byte[] der) throws IOException {
        String body = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .encodeToString(der);
        return java.nio.file.Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    }

    /** Runs openssl s_client with nothing to send; its output (stdout and stderr). */
    private static String sClient(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "openssl s_client did not finish");
        return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The first flight of a TLS client: a ClientHello, as a real client would send it. */
    private static byte[] clientHello() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    /** Reads until the server closes the connection; fails if it is still open well after the timeout. */
    private static void assertClosedByServer(Socket socket) throws IOException {
        long bound = HANDSHAKE_TIMEOUT.toMillis() + 4000;
        socket.setSoTimeout((int) bound);
        long start = System.nanoTime();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) >= 0) {
                assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(bound), "still open");
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + bound + " ms", e);
        } catch (java.net.SocketException e) {
            // reset by the server: closed too
        }
    }
}

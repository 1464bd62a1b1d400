package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.node.security.CertificateAuthority;
import io.baton.node.security.Issued;
import io.baton.node.security.KeyStores;
import io.baton.node.security.PemFiles;
import io.baton.node.security.Role;
import io.baton.proto.Event;
import io.baton.proto.admin.BatonAdminGrpc;
import io.baton.proto.admin.BatonAdminGrpc.BatonAdminBlockingStub;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.ForceActivateRequest;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.NodeStatus;
import io.baton.proto.admin.StatusRequest;
import io.baton.proto.admin.StopRequest;
import io.baton.proto.admin.WatchRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 on a real cluster with TLS: the admin port requires a client certificate of the cluster's
 * CA, and the certificate's role decides what its holder may do. Each refusal is checked word for
 * word, and that nothing changed (the group's owner and epoch).
 */
class AdminTlsIT {
    static LocalCluster cluster;
    static final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        assumeTrue(LocalCluster.TLS, "the test cluster runs without TLS (-Dbaton.it.tls=false)");
        Path dir = Path.of("target", "it-runs", "admin-tls").toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        cluster = new LocalCluster(dir, "127.0.79", Duration.ofMillis(250), Duration.ofSeconds(3));
        cluster.issueOperator("alice", Role.VIEWER);
        cluster.issueOperator("bob", Role.OPERATOR);
        cluster.startAll();
        cluster.awaitAllUp(Duration.ofSeconds(60));
        cluster.awaitOnline("server1", Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopCluster() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (cluster != null) {
            cluster.close();
        }
    }

    private static BatonAdminBlockingStub stub(ChannelCredentials credentials) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(cluster.member("server1").ip(), 7401, credentials).build();
        channels.add(channel);
        return BatonAdminGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    private static BatonAdminBlockingStub as(String certificate) {
        return stub(cluster.adminCredentials(certificate));
    }

    private static ChannelCredentials credentials(Issued own, Issued ca) {
        return TlsChannelCredentials.newBuilder().keyManager(KeyStores.keyManagers(own))
                .trustManager(KeyStores.trustManagers(List.of(ca.certificate()))).build();
    }

    private static GroupStatus group() {
        return cluster.group().orElseThrow();
    }

    private static void refused(Status.Code code, String description, Runnable call) {
        GroupStatus before = group();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), String.valueOf(e.getStatus()));
        if (description != null) {
            assertEquals(description, e.getStatus().getDescription());
        }
        GroupStatus after = group();
        assertEquals(before.getOwner(), after.getOwner(), "the owner did not change");
        assertEquals(before.getEpoch(), after.getEpoch(), "the epoch did not change");
    }

    @Test
    void aViewerReadsButMayNotMove() {
        assertEquals(group().getOwner(), as("alice").status(StatusRequest.getDefaultInstance()).getGroups(0).getOwner());
        refused(Status.Code.PERMISSION_DENIED, "permission denied: alice (viewer) may not move",
                () -> as("alice").move(MoveRequest.newBuilder().setGroup("web").setTo("server2").build()));
    }

    /**
     * Every node's heartbeats say when its certificates expire, and batonctl status warns: the tests'
     * certificates last two days, well within the 30 days of the warning.
     */
    @Test
    void statusWarnsOfEachNodesCertificatesThatExpireSoon() throws Exception {
        ClusterStatus status = await().atMost(Duration.ofSeconds(10)).until(
                () -> as("alice").status(StatusRequest.getDefaultInstance()),
                s -> s.getNodesList().stream().allMatch(n -> n.getCertificateNotAfterMs() > 0 && n.getCaNotAfterMs() > 0));
        long now = System.currentTimeMillis();
        for (NodeStatus n : status.getNodesList()) {
            assertTrue(n.getCertificateNotAfterMs() > now && n.getCertificateNotAfterMs() <= now + Duration.ofDays(2).toMillis(),
                    n.toString());
            assertTrue(n.getCaNotAfterMs() >= n.getCertificateNotAfterMs(), "a certificate never outlives its CA: " + n);
        }
        String[] run = batonctl(cluster.ctlEnv(), "status");
        assertEquals("0", run[0], run[2]);
        for (String node : List.of("server1", "server2", "witness")) {
            assertTrue(run[1].contains("Warning:     " + node + "'s node certificate expires in 1 day ("), run[1]);
        }
    }

    @Test
    void aNodeCertificateIsNotAnOperator() {
        as("server2").status(StatusRequest.getDefaultInstance());
        refused(Status.Code.PERMISSION_DENIED,
                "permission denied: node server2 may not stop (a node's certificate is not an operator's)",
                () -> as("server2").stop(StopRequest.newBuilder().setGroup("web").build()));
    }

    @Test
    void anOperatorMayNotForceActivate() {
        refused(Status.Code.PERMISSION_DENIED, "permission denied: bob (operator) may not force-activate",
                () -> as("bob").forceActivate(ForceActivateRequest.newBuilder().setGroup("web").setOn("server2")
                        .setAcceptDataLoss(true).build()));
    }

    /**
     * The check docs/security.md gives for every port, on the admin port of a real node: openssl
     * s_client without a client certificate fails the handshake; with the operator's it gets through.
     */
    @Test
    void opensslWithoutAClientCertificateFailsTheHandshake() throws Exception {
        assumeTrue(java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "openssl"))), "openssl is not installed");
        var files = cluster.tlsFiles(LocalCluster.ADMIN_CERT);
        String connect = cluster.member("server1").ip() + ":7401";
        String refused = sClient("-connect", connect, "-CAfile", files.ca().toString(), "-alpn", "h2", "-ign_eof");
        assertTrue(refused.contains("alert certificate required"), refused);
        String accepted = sClient("-connect", connect, "-CAfile", files.ca().toString(), "-alpn", "h2",
                "-cert", files.cert().toString(), "-key", files.key().toString());
        assertTrue(accepted.contains("Verify return code: 0 (ok)"), accepted);
        assertTrue(!accepted.contains("alert"), accepted);
    }

    /** Runs openssl s_client with nothing to send; its output (stdout and stderr). */
    private static String sClient(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "openssl s_client did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void plaintextAnotherCaAndAnExpiredCertificateAreRefusedInTheHandshake() {
        refused(Status.Code.UNAVAILABLE, null,
                () -> stub(InsecureChannelCredentials.create()).status(StatusRequest.getDefaultInstance()));
        CertificateAuthority other = CertificateAuthority.create("other", Duration.ofDays(1), Instant.now());
        Issued mallory = other.issueOperator("mallory", Role.ADMIN, Duration.ofDays(1), Instant.now());
        Issued clusterCa = readCa();
        refused(Status.Code.UNAVAILABLE, null,
                () -> stub(credentials(mallory, clusterCa)).stop(StopRequest.newBuilder().setGroup("web").build()));
        Issued expired = caOfCluster().issueOperator("old", Role.ADMIN, Duration.ofDays(1),
                Instant.now().minus(Duration.ofDays(3)));
        refused(Status.Code.UNAVAILABLE, null,
                () -> stub(credentials(expired, clusterCa)).stop(StopRequest.newBuilder().setGroup("web").build()));
    }

    @Test
    void anOperatorsMoveIsAuditedWithItsName() throws Exception {
        long epoch = group().getEpoch();
        String from = group().getOwner();
        String to = from.equals("server1") ? "server2" : "server1";
        as("bob").move(MoveRequest.newBuilder().setGroup("web").setTo(to).build());
        List<Event> events = new ArrayList<>();
        as("alice").watch(WatchRequest.newBuilder().setRecent(50).build()).forEachRemaining(events::add);
        Event move = events.stream().filter(e -> e.getKind().equals("move") && e.getEpoch() >= epoch)
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no move event in " + events));
        assertEquals("bob (operator)", move.getCaller());
        cluster.awaitOnline(to, Duration.ofSeconds(30));
    }

    @Test
    void batonctlSaysPermissionDeniedInOneLine() throws Exception {
        Map<String, String> alice = Map.of("BATON_CA", cluster.tlsFiles("alice").ca().toString(),
                "BATON_CERT", cluster.tlsFiles("alice").cert().toString(),
                "BATON_KEY", cluster.tlsFiles("alice").key().toString());
        String[] run = batonctl(alice, "move", "web", "--to", "server2");
        assertEquals("1", run[0]);
        assertEquals("batonctl: permission denied: alice (viewer) may not move\n", run[2]);
        String[] wrongKey = batonctl(Map.of("BATON_CA", cluster.tlsFiles("alice").ca().toString(),
                "BATON_CERT", cluster.tlsFiles("alice").cert().toString(),
                "BATON_KEY", cluster.tlsFiles("bob").key().toString()), "status");
        assertEquals("1", wrongKey[0]);
        assertTrue(wrongKey[2].startsWith("batonctl: " + cluster.tlsFiles("bob").key()) && wrongKey[2].lines().count() == 1,
                wrongKey[2]);
        String[] none = batonctl(Map.of(), "status");
        assertEquals("1", none[0]);
        assertTrue(none[2].contains("give --ca, --cert and --key") && none[2].lines().count() == 1, none[2]);
    }

    @Test
    void aRenewedNodeCertificateIsUsedAfterSighupWithoutARestart() throws Exception {
        java.math.BigInteger before = presentedSerial("server1");
        Issued renewed = caOfCluster().issueNode("server1", List.of(cluster.member("server1").ip()), Duration.ofDays(3),
                Instant.now());
        PemFiles.write(cluster.configFile().getParent().resolve("tls"), "server1", renewed);
        long pid = cluster.process("server1").pid();
        cluster.signal("server1", "HUP");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> presentedSerial("server1").equals(renewed.certificate().getSerialNumber()));
        assertTrue(!before.equals(renewed.certificate().getSerialNumber()));
        assertEquals(pid, cluster.process("server1").pid(), "the same process");
        assertEquals(group().getOwner(), as("alice").status(StatusRequest.getDefaultInstance()).getGroups(0).getOwner());
    }

    /** The serial of the certificate the node's admin port presents to a new TLS connection. */
    private static java.math.BigInteger presentedSerial(String node) throws Exception {
        Issued alice = PemFiles.read(cluster.tlsFiles("alice").cert(), cluster.tlsFiles("alice").key());
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(KeyStores.keyManagers(alice), KeyStores.trustManagers(List.of(readCa().certificate())), null);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                .createSocket(cluster.member(node).ip(), 7401)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static String[] batonctl(Map<String, String> env, String... args) throws Exception {
        return cluster.batonctl(env, args);
    }

    private static Issued readCa() {
        try {
            return new Issued(PemFiles.readCertificate(cluster.tlsFiles("alice").ca()), null);
        } catch (io.baton.node.security.CertificateException e) {
            throw new AssertionError(e.getMessage());
        }
    }

    private static CertificateAuthority caOfCluster() {
        return cluster.certificateAuthority();
    }
}

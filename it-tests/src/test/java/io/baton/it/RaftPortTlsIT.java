package io.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.coordinator.ratis.RaftNode;
import io.baton.node.security.CertificateAuthority;
import io.baton.node.security.Issued;
import io.baton.node.security.PemFiles;
import io.baton.node.security.Role;
import io.baton.proto.Command;
import io.baton.proto.Heartbeat;
import io.baton.proto.admin.GroupStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: the forged-command attacks of the issue, against real nodes started from a cluster file with a
 * {@code tls} block. A plain Ratis client, and one holding an operator's certificate of the cluster's own
 * CA, can no longer propose a forged heartbeat or move the Raft leadership; the group keeps its owner
 * and epoch.
 */
class RaftPortTlsIT {
    static final String SUBNET = "127.0.84";
    static final Duration STARTUP = Duration.ofSeconds(60);

    LocalCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void onlyMembersNodeCertificatesReachTheRaftPort() throws Exception {
        assumeTrue(LocalCluster.TLS, "run with TLS (the default)");
        Path dir = Path.of("target", "it-runs", "raft-port-tls").toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        cluster = new LocalCluster(dir, SUBNET, Duration.ofMillis(250), Duration.ofSeconds(3));
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        GroupStatus before = cluster.awaitOnline("server1", STARTUP);

        Path tls = cluster.tlsDir();
        List<java.security.cert.X509Certificate> ca = PemFiles.readCertificates(tls.resolve("ca.crt"));
        Issued operator = CertificateAuthority.of(PemFiles.read(tls.resolve("ca.crt"), tls.resolve("ca.key")))
                .issueOperator("mallory", Role.ADMIN, Duration.ofDays(1), Instant.now());

        assertRefused(null, "UNAVAILABLE: Network closed for unknown reason");
        assertRefused(new GrpcTlsConfig(operator.key(), operator.certificate(), ca, true), "SSLV3_ALERT_BAD_CERTIFICATE");

        GroupStatus after = cluster.group().orElseThrow();
        assertEquals(before.getOwner(), after.getOwner());
        assertEquals(before.getEpoch(), after.getEpoch());
        assertTrue(cluster.probeOpen("server1") && !cluster.probeOpen("server2"));
    }

    /** A forged heartbeat of server1 (absurd incarnation) and a leadership transfer both fail with {@code expected}. */
    private void assertRefused(GrpcTlsConfig tls, String expected) throws IOException {
        Command forged = Command.newBuilder().setWallTimeMs(System.currentTimeMillis())
                .setHeartbeat(Heartbeat.newBuilder().setNode("server1").setIncarnation(Long.MAX_VALUE).setSeq(1)).build();
        try (RaftClient client = client(tls)) {
            IOException sent = assertThrows(IOException.class,
                    () -> client.io().send(Message.valueOf(ByteString.copyFrom(forged.toByteArray()))));
            assertTrue(chain(sent).contains(expected), chain(sent));
            IOException transfer = assertThrows(IOException.class,
                    () -> client.admin().transferLeadership(RaftPeerId.valueOf("server2"), 2000));
            assertTrue(chain(transfer).contains(expected), chain(transfer));
        }
    }

    private RaftClient client(GrpcTlsConfig tls) {
        List<RaftPeer> peers = cluster.members().stream()
                .map(m -> RaftPeer.newBuilder().setId(m.id()).setAddress(m.ip() + ":7400").build()).toList();
        RaftProperties p = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        Parameters parameters = new Parameters();
        if (tls != null) {
            GrpcConfigKeys.TLS.setConf(parameters, tls);
        }
        return RaftClient.newBuilder()
                .setRaftGroup(RaftGroup.valueOf(RaftNode.groupId("it-" + SUBNET.replace('.', '-')), peers))
                .setProperties(p).setParameters(parameters)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(2, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
    }

    private static String chain(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (; t != null; t = t.getCause()) {
            s.append(t).append('\n');
        }
        return s.toString();
    }
}

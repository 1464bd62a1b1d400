package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ReplicaStateProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeStatus;
import io.baton.proto.admin.ReplicaStatus;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * batonctl node add, remove and replace on real processes over loopback (with TLS, as the other
 * ITs): membership through Raft while the group stays online, and a replaced node that then takes
 * the group over with its data.
 */
class MembershipIT {
    private static final Duration HEARTBEAT = Duration.ofMillis(250);
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final long DISK = 64L << 20;

    private LocalCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private String[] ctl(String... args) throws IOException, InterruptedException {
        return cluster.batonctl(cluster.ctlEnv(), args);
    }

    private static String out(String[] r) {
        return "exit " + r[0] + "\nstdout: " + r[1] + "\nstderr: " + r[2];
    }

    private List<String> nodeIds() {
        return cluster.status().map(s -> s.getNodesList().stream().map(NodeStatus::getId).sorted().toList()).orElse(List.of());
    }

    private Optional<ReplicaStatus> replica(String node) {
        return cluster.replica(node);
    }

    /** The Done-when: server2 replaced by server3 (a new address) while web is online on server1, then server1 killed. */
    @Test
    void aReplacedNodeTakesOverWithTheData(TestInfo info) throws Exception {
        LocalCluster.assumeMirrorDisk();
        Path dir = RunDirs.fresh("membership-replace");
        cluster = new LocalCluster(dir, "127.0.48", HEARTBEAT, LEASE, DISK);
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        cluster.awaitOnline("server1", STARTUP);
        await().atMost(STARTUP).until(() -> replica("server2").map(ReplicaStatus::getState).orElse(null),
                s -> s == ReplicaStateProto.REPLICA_UP_TO_DATE);
        byte[] before = random(5 << 20, 1);
        write(cluster.mountPoint("server1").resolve("before.bin"), before);

        // server2's instance is retired: gone for good. Its replacement has another address.
        cluster.kill("server2");
        String[] refused = ctl("node", "replace", "server2", "--with", "server3", "--role", "data",
                "--raft", "127.0.48.14:7400", "--admin", "127.0.48.14:7401", "--mirror", "127.0.48.14:7402");
        assertEquals("1", refused[0], out(refused));
        assertTrue(refused[2].contains("nothing answers on node 'server3'"), out(refused));
        assertEquals(List.of("server1", "server2", "witness"), nodeIds(), "a refusal changes nothing");

        Path joinerFile = cluster.prepareNewNode(new LocalCluster.Member("server3", "data", "127.0.48.14"));
        cluster.start("server3", List.of(), joinerFile);
        await().atMost(STARTUP).until(() -> listening("127.0.48.14", 7400));
        String[] replaced = ctl("node", "replace", "server2", "--with", "server3", "--role", "data",
                "--raft", "127.0.48.14:7400", "--admin", "127.0.48.14:7401", "--mirror", "127.0.48.14:7402");
        assertEquals("0", replaced[0], out(replaced) + cluster.logTail(40));
        assertTrue(replaced[1].contains("replaced server2 with server3"), out(replaced));

        ClusterStatus status = cluster.status().orElseThrow();
        assertEquals(List.of("server1", "server3", "witness"), nodeIds());
        GroupStatus web = cluster.group().orElseThrow();
        assertEquals(List.of("server1", "server3"), web.getPreferenceList());
        assertEquals("server1", web.getOwner(), "the group stayed online on server1");
        assertTrue(status.getMembershipMismatch().contains("mismatch"), status.getMembershipMismatch());
        String[] shown = ctl("status");
        assertTrue(shown[1].contains("membership mismatch"), out(shown));

        // server1 copies the whole disk to server3; server3 is granted nothing before that ends.
        await().atMost(STARTUP).until(() -> replica("server3").map(ReplicaStatus::getState).orElse(null),
                s -> s == ReplicaStateProto.REPLICA_UP_TO_DATE);
        byte[] after = random(1 << 20, 2);
        write(cluster.mountPoint("server1").resolve("after.bin"), after);

        cluster.kill("server1");
        cluster.awaitOnline("server3", STARTUP);
        assertArrayEquals(before, Files.readAllBytes(cluster.mountPoint("server3").resolve("before.bin")));
        assertArrayEquals(after, Files.readAllBytes(cluster.mountPoint("server3").resolve("after.bin")));

        // server1 comes back with the cluster file it had, which still names server2: it follows the
        // live membership, takes server3's writes as standby, and can have the group back.
        byte[] third = random(1 << 20, 3);
        write(cluster.mountPoint("server3").resolve("third.bin"), third);
        cluster.start("server1");
        await().atMost(STARTUP).until(() -> replica("server1").map(ReplicaStatus::getState).orElse(null),
                s -> s == ReplicaStateProto.REPLICA_UP_TO_DATE);
        String[] moved = ctl("move", LocalCluster.GROUP, "--to", "server1");
        assertEquals("0", moved[0], out(moved));
        cluster.awaitOnline("server1", STARTUP);
        assertArrayEquals(third, Files.readAllBytes(cluster.mountPoint("server1").resolve("third.bin")));
    }

    /** Add a node, remove it; the refusals change nothing. No mirror disk: runs without root. */
    @Test
    void aNodeIsAddedAndRemovedAndBadChangesAreRefused() throws Exception {
        Path dir = RunDirs.fresh("membership-add-remove");
        cluster = new LocalCluster(dir, "127.0.49", HEARTBEAT, LEASE);
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        cluster.awaitOnline("server1", STARTUP);

        String[] tooFew = ctl("node", "remove", "witness");
        assertEquals("1", tooFew[0], out(tooFew));
        assertTrue(tooFew[2].contains("at least three"), out(tooFew));
        String[] member = ctl("node", "remove", "server2");
        assertEquals("1", member[0], out(member));
        assertTrue(member[2].contains("member of group 'web'") && member[2].contains("node replace"), out(member));
        String[] badRole = ctl("node", "add", "server3", "--role", "boss", "--raft", "127.0.49.14:7400",
                "--admin", "127.0.49.14:7401");
        assertEquals("1", badRole[0], out(badRole));
        assertTrue(badRole[2].contains("--role must be data or witness"), out(badRole));

        Path joinerFile = cluster.prepareNewNode(new LocalCluster.Member("server3", "data", "127.0.49.14"));
        cluster.start("server3", List.of(), joinerFile);
        await().atMost(STARTUP).until(() -> listening("127.0.49.14", 7400));
        String[] added = ctl("node", "add", "server3", "--role", "data", "--raft", "127.0.49.14:7400",
                "--admin", "127.0.49.14:7401");
        assertEquals("0", added[0], out(added) + cluster.logTail(40));
        assertTrue(added[1].contains("4 voters"), out(added));
        await().atMost(STARTUP).until(() -> cluster.status().map(s -> s.getNodesList().stream()
                .anyMatch(n -> n.getId().equals("server3") && n.getAlive())).orElse(false));
        assertEquals(4, cluster.status().orElseThrow().getRaft().getVoters());
        String[] again = ctl("node", "add", "server3", "--role", "data", "--raft", "127.0.49.14:7400",
                "--admin", "127.0.49.14:7401");
        assertEquals("1", again[0], out(again));
        assertTrue(again[2].contains("already a member"), out(again));

        String[] ownerReplaced = ctl("node", "replace", "server1", "--with", "server3", "--role", "data",
                "--raft", "127.0.49.14:7400", "--admin", "127.0.49.14:7401");
        assertEquals("1", ownerReplaced[0], out(ownerReplaced));
        assertTrue(ownerReplaced[2].contains("owns group 'web'") && ownerReplaced[2].contains("nothing was changed"),
                out(ownerReplaced));
        assertEquals(List.of("server1", "server2", "server3", "witness"), nodeIds());
        assertEquals(List.of("server1", "server2"), cluster.group().orElseThrow().getPreferenceList());

        String[] removed = ctl("node", "remove", "server3");
        assertEquals("0", removed[0], out(removed) + cluster.logTail(40));
        assertTrue(removed[1].contains("3 voters"), out(removed));
        assertEquals(List.of("server1", "server2", "witness"), nodeIds());
        assertFalse(cluster.status().orElseThrow().getMembershipMismatch().contains("mismatch"),
                "the file's nodes are the live ones again");
        assertEquals("server1", cluster.group().orElseThrow().getOwner(), "the group never moved");
    }

    private static boolean listening(String host, int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes and fsyncs: acknowledged by the mirror disk when force returns. */
    private static void write(Path file, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }
}

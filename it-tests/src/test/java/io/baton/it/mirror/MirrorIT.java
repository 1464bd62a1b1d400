package io.baton.it.mirror;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.it.LocalCluster;
import io.baton.proto.Event;
import io.baton.proto.PhaseProto;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.admin.ForceActivateRequest;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.ReplicaStatus;
import io.baton.proto.admin.StopRequest;
import io.baton.proto.admin.WatchRequest;
import io.baton.resources.mirror.meta.ActiveExtents;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The mirror disk on a real kernel: two data nodes and a witness as processes on loopback, each
 * replica an image file, the owner's disk served through FUSE, a loop device and ext4. Needs root.
 */
class MirrorIT {
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration STARTUP = Duration.ofSeconds(60);
    static final long DISK = 128L << 20;

    Path dir;
    LocalCluster cluster;

    @BeforeEach
    void prerequisites(TestInfo info) throws Exception {
        LocalCluster.assumeMirrorDisk();
        dir = io.baton.it.RunDirs.fresh("mirror-" + info.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A cluster whose group is online on server1 with server2's replica UpToDate (first full sync done). */
    private LocalCluster startInSync(String subnet) throws Exception {
        cluster = new LocalCluster(dir, subnet, HEARTBEAT, LEASE, DISK);
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        cluster.awaitOnline("server1", STARTUP);
        awaitReplica("server2", ReplicaStateProto.REPLICA_UP_TO_DATE, STARTUP);
        assertTrue(isMounted(cluster.mountPoint("server1")), "the owner mounts the disk");
        assertFalse(isMounted(cluster.mountPoint("server2")), "nothing is mounted on the standby");
        return cluster;
    }

    private Optional<ReplicaStatus> replica(String node) {
        return cluster.replica(node);
    }

    private void awaitReplica(String node, ReplicaStateProto state, Duration within) {
        cluster.awaitReplica(node, state, within);
    }

    private long resyncBytesSentWhenInSync(String node, long moreThan) {
        return cluster.resyncBytesSentWhenInSync(node, moreThan, Duration.ofSeconds(10));
    }

    @Test
    void filesFsyncedOnTheOwnerAreOnTheOtherNodeAfterAMove() throws Exception {
        startInSync("127.0.41");
        byte[] big = random(3 << 20, 1);
        write(cluster.mountPoint("server1").resolve("big.bin"), big);
        write(cluster.mountPoint("server1").resolve("hello.txt"), "written on server1\n".getBytes());

        cluster.admin("witness").move(MoveRequest.newBuilder().setGroup(LocalCluster.GROUP).setTo("server2").build());
        cluster.awaitOnline("server2", STARTUP);

        assertFalse(isMounted(cluster.mountPoint("server1")), "the old owner unmounted");
        assertArrayEquals(big, Files.readAllBytes(cluster.mountPoint("server2").resolve("big.bin")));
        assertEquals("written on server1\n", Files.readString(cluster.mountPoint("server2").resolve("hello.txt")));
    }

    @Test
    void everyWriteWhoseFsyncReturnedBeforeASigkillSurvivesTheTakeover() throws Exception {
        startInSync("127.0.42");
        Path file = cluster.mountPoint("server1").resolve("records.log");
        AtomicLong acknowledged = new AtomicLong(-1);
        AtomicReference<Throwable> stoppedBy = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                for (long i = 0; i < 1_000_000 && System.nanoTime() < deadline; i++) {
                    ch.write(ByteBuffer.wrap(record(i)), i * RECORD);
                    ch.force(false);
                    acknowledged.set(i);
                }
            } catch (Throwable t) {
                stoppedBy.set(t);
            }
        }, "fsynced-writer");
        writer.setDaemon(true);
        writer.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= 300 || !writer.isAlive());
        assertTrue(writer.isAlive(), () -> "the writer stopped early: " + stoppedBy.get());

        cluster.kill("server1");
        long lastBeforeKill = acknowledged.get();
        cluster.awaitOnline("server2", STARTUP);
        await().atMost(Duration.ofSeconds(30)).until(() -> !writer.isAlive());
        long last = acknowledged.get();
        assertTrue(last >= lastBeforeKill);

        byte[] survived = Files.readAllBytes(cluster.mountPoint("server2").resolve("records.log"));
        for (long i = 0; i <= last; i++) {
            int at = (int) (i * RECORD);
            assertTrue(survived.length >= at + RECORD, "record " + i + " of " + last + " acknowledged ones is missing");
            byte[] got = java.util.Arrays.copyOfRange(survived, at, at + RECORD);
            assertArrayEquals(record(i), got, "record " + i + " differs");
        }

        // The killed node returns as the standby. Its activity log says where it may have had writes in
        // flight: those extents and what server2 wrote since are copied, not the whole disk.
        cluster.start("server1");
        awaitReplica("server1", ReplicaStateProto.REPLICA_UP_TO_DATE, STARTUP);
        long sent = resyncBytesSentWhenInSync("server1", 0);
        System.out.printf("resync of a primary killed under an fsyncing writer: %d bytes sent (disk %d bytes, %.1f %%)%n",
                sent, DISK, 100.0 * sent / DISK);
        // At most: the activity log's 8 most recent extents, those written since the last fsync, and the
        // blocks the new owner wrote since (ext4's journal replay, the mount): 12 extents of 4 MiB leave room.
        long bound = 12L * ActiveExtents.EXTENT_BYTES;
        assertTrue(sent <= bound, "the resync sent " + sent + " bytes of a " + DISK + "-byte disk: more than the"
                + " activity log's extents and the new owner's writes (" + bound + ")");
    }

    @Test
    void aStoppedStandbyIsOutdatedThenResyncsOnlyTheDirtyRegions() throws Exception {
        startInSync("127.0.43");
        long before = resyncBytesSentWhenInSync("server2", -1);
        cluster.terminate("server2");

        byte[] written = random(2 << 20, 2);
        write(cluster.mountPoint("server1").resolve("during-outage.bin"), written);
        awaitReplica("server2", ReplicaStateProto.REPLICA_OUTDATED, Duration.ofSeconds(30));

        cluster.start("server2");
        awaitReplica("server2", ReplicaStateProto.REPLICA_UP_TO_DATE, STARTUP);
        long sent = resyncBytesSentWhenInSync("server2", before) - before;
        System.out.printf("resync after a standby outage: %d bytes sent for %d bytes written (disk %d bytes)%n",
                sent, written.length, DISK);
        assertTrue(sent >= written.length, "the resync sent " + sent + " bytes, less than the " + written.length + " written");
        assertTrue(sent <= 8L * written.length, "the resync sent " + sent + " bytes for " + written.length
                + " written: more than the dirty regions");
        assertTrue(sent < DISK / 10, "the resync sent " + sent + " bytes of a " + DISK + "-byte disk");

        // Stop the group so that nothing writes, then the two replicas must be identical.
        cluster.admin("witness").stop(StopRequest.newBuilder().setGroup(LocalCluster.GROUP).build());
        await().atMost(STARTUP).until(() -> cluster.group().map(g -> g.getPhase() == PhaseProto.PHASE_OFFLINE
                && g.getOwner().isEmpty()).orElse(false));
        await().atMost(Duration.ofSeconds(10)).until(() -> !isMounted(cluster.mountPoint("server1")));
        assertEquals(sha256(dir.resolve("data/server1/md.img")), sha256(dir.resolve("data/server2/md.img")),
                "the replicas differ after the resync");
    }

    @Test
    void anOutdatedReplicaIsNeverGrantedButForceActivateBringsItOnline() throws Exception {
        startInSync("127.0.44");
        write(cluster.mountPoint("server1").resolve("before.txt"), "before the outage\n".getBytes());
        cluster.terminate("server2");
        write(cluster.mountPoint("server1").resolve("during.txt"), "only on server1\n".getBytes());
        awaitReplica("server2", ReplicaStateProto.REPLICA_OUTDATED, Duration.ofSeconds(30));

        cluster.kill("server1");
        cluster.start("server2");
        await().atMost(STARTUP).ignoreExceptions().until(() -> cluster.admin("server2")
                .status(io.baton.proto.admin.StatusRequest.getDefaultInstance()).getNodesList().stream()
                .anyMatch(n -> n.getId().equals("server2") && n.getAlive()));
        // Well past the lease and the takeover margin: the group must stay off server2.
        await().during(LEASE.multipliedBy(3)).atMost(LEASE.multipliedBy(4)).until(() -> cluster.group()
                .map(g -> !(g.getOwner().equals("server2") && g.getPhase() == PhaseProto.PHASE_ONLINE)).orElse(true));
        assertFalse(isMounted(cluster.mountPoint("server2")));

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> cluster.admin("server2")
                .forceActivate(ForceActivateRequest.newBuilder().setGroup(LocalCluster.GROUP).setOn("server2").build()));
        assertTrue(refused.getMessage().contains("accept"), refused.getMessage());

        await().atMost(STARTUP).ignoreExceptions().until(() -> {
            cluster.admin("server2").forceActivate(ForceActivateRequest.newBuilder().setGroup(LocalCluster.GROUP)
                    .setOn("server2").setAcceptDataLoss(true).build());
            return true;
        });
        GroupStatus online = cluster.awaitOnline("server2", STARTUP);
        assertEquals(ReplicaStateProto.REPLICA_UP_TO_DATE, replica("server2").orElseThrow().getState());
        assertTrue(online.getEpoch() > 0);
        assertEquals("before the outage\n", Files.readString(cluster.mountPoint("server2").resolve("before.txt")));
        assertFalse(Files.exists(cluster.mountPoint("server2").resolve("during.txt")),
                "server2 was Outdated: the write it missed is the data loss force-activate accepted");
        List<String> kinds = new ArrayList<>();
        cluster.admin("server2").watch(WatchRequest.newBuilder().setRecent(200).build())
                .forEachRemaining((Event e) -> kinds.add(e.getKind() + ":" + e.getNode()));
        assertTrue(kinds.contains("force-activate:server2"), kinds.toString());
    }

    @Test
    void aPausedOwnerThatResumesCannotAcknowledgeAWrite() throws Exception {
        startInSync("127.0.45");
        Path oldMount = cluster.mountPoint("server1");
        write(oldMount.resolve("before.txt"), "before the pause\n".getBytes());
        cluster.signal("server1", "STOP");
        cluster.awaitOnline("server2", STARTUP);

        cluster.signal("server1", "CONT");
        // The deposed owner's disk: its lease is gone, its peer is the new primary at a higher epoch,
        // and its Outdated(peer) commit would be stale. A write there must not be acknowledged.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                write(oldMount.resolve("after.txt"), "written on the deposed owner\n".getBytes());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "deposed-writer");
        writer.setDaemon(true);
        writer.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> !writer.isAlive());
        assertTrue(failure.get() != null, "a write with fsync on the deposed owner's mount succeeded");

        assertEquals("before the pause\n", Files.readString(cluster.mountPoint("server2").resolve("before.txt")));
        assertFalse(Files.exists(cluster.mountPoint("server2").resolve("after.txt")));
        assertEquals("server2", cluster.group().orElseThrow().getOwner());
    }

    static final int RECORD = 4096;

    /** Record {@code i}: its number, then a pattern derived from it. */
    static byte[] record(long i) {
        byte[] b = new byte[RECORD];
        ByteBuffer.wrap(b).putLong(i);
        for (int k = 8; k < RECORD; k++) {
            b[k] = (byte) (i * 31 + k);
        }
        return b;
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void write(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    static boolean isMounted(Path mountPoint) throws IOException {
        String target = " " + mountPoint.toAbsolutePath() + " ";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.contains(target));
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            while (ch.read(b) > 0) {
                b.flip();
                md.update(b);
                b.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}

package io.baton.resources.mirror.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.resources.mirror.meta.ActiveExtents;
import io.baton.resources.mirror.meta.DirtyBitmap;
import io.baton.resources.mirror.meta.MetadataArea;
import io.baton.resources.mirror.engine.ReplicaStatePort.ReplicaState;
import io.baton.resources.mirror.meta.Superblock.Flag;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replication engine end to end: real Netty over loopback, real files. */
class MirrorReplicationTest {

    private static final String RES = "web/disk";
    private static final long SIZE = 4L << 20; // 1024 blocks
    private static final long GEN = 0x1111_2222_3333_4444L;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final Random rnd = new Random(42);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // a test may have closed or fenced it already
            }
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    private MirrorPrimary primary(Replica r, InetSocketAddress peer, long epoch, InMemoryReplicaStatePort port,
            MirrorSettings settings) throws IOException {
        MirrorPrimary p = new MirrorPrimary(RES, "a", "b", peer, r.data, r.area, epoch, port, settings, System::nanoTime);
        p.start();
        open.add(() -> {
            p.fence();
            p.close();
        });
        return p;
    }

    private static MirrorSettings fast() {
        return MirrorSettings.defaults().withPeerAckTimeout(Duration.ofSeconds(2));
    }

    private byte[] randomBlock(int blocks) {
        byte[] b = new byte[blocks * DirtyBitmap.BLOCK_SIZE_BYTES];
        rnd.nextBytes(b);
        return b;
    }

    private static void awaitInSync(MirrorPrimary p) {
        await().atMost(WAIT).until(() -> p.status().inSync());
    }

    @Test
    void writesAndFlushAreByteIdenticalOnTheTarget() throws Exception {
        Replica a = keep(Replica.create(dir, RES, "a", SIZE, GEN));
        Replica b = keep(Replica.create(dir, RES, "b", SIZE, GEN));
        Replica.Standby standby = keep(b.new Standby("b", 0));
        InMemoryReplicaStatePort port = new InMemoryReplicaStatePort("b", ReplicaState.UP_TO_DATE);
        MirrorPrimary p = primary(a, standby.address(), 3, port, fast());
        awaitInSync(p);

        for (int i = 0; i < 50; i++) {
            long block = rnd.nextInt(1000);
            byte[] d = randomBlock(3 + rnd.nextInt(6));
            p.write(block * 4096 + (i % 3) * 512, ByteBuffer.wrap(d, 0, 4096 + 100 * i)); // misaligned too
        }
        ByteBuffer big = ByteBuffer.wrap(randomBlock(256)); // 1 MiB in one write
        p.write(0, big);
        assertEquals(0, big.remaining(), "write consumes its buffer");
        p.flush();

        assertArrayEquals(a.bytes(), b.bytes());
        assertEquals(List.of(), port.commits, "an in-sync peer needs no state change");
        assertEquals(0, p.status().resyncBytesSent());
        assertEquals(3, b.area.current().highestEpochSeen(), "the target persisted the primary's epoch");
        ByteBuffer back = ByteBuffer.allocate(4096);
        assertEquals(4096, p.read(0, back));
        assertArrayEquals(java.util.Arrays.copyOf(big.array(), 4096), back.array());
    }

    /**
     * {@code threads} writers, each {@code writes} writes of 1..16 blocks at random block offsets
     * (so writers overlap each other), with their own random data; {@code afterEach} runs after
     * every returned write. Fails on the first write that throws.
     */
    private static void concurrentWrites(MirrorPrimary p, int threads, int writes, Runnable afterEach) throws Exception {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Random r = new Random(1000 + t);
            done.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < writes; i++) {
                        byte[] d = new byte[(1 + r.nextInt(16)) * 4096];
                        r.nextBytes(d);
                        long block = r.nextInt((int) (SIZE / 4096) - 16);
                        p.write(block * 4096, ByteBuffer.wrap(d));
                        afterEach.run();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, java.util.concurrent.Executors.newSingleThreadExecutor()));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    @Test
    void concurrentOverlappingWritesEndTheSameOnBothReplicas() throws Exception {
        Replica a = keep(Replica.create(dir, RES, "a", SIZE, GEN));
        Replica b = keep(Replica.create(dir, RES, "b", SIZE, GEN));
        Replica.Standby standby = keep(b.new Standby("b", 0));
        InMemoryReplicaStatePort port = new InMemoryReplicaStatePort("b", ReplicaState.UP_TO_DATE);
        MirrorPrimary p = primary(a, standby.address(), 3, port, fast());
        awaitInSync(p);

        // Writers overlap each other all the time: the replicas must still agree on which came last.
        concurrentWrites(p, 4, 150, () -> {});
        p.flush();

        assertArrayEquals(a.bytes(), b.bytes());
        assertEquals(List.of(), port.commits);
        assertTrue(p.status().inSync());
    }

    @Test
    void aPeerLostUnderConcurrentWritesMissesNothingAfterTheResync() throws Exception {
        Replica a = keep(Replica.create(dir, RES, "a", SIZE, GEN));
        Replica b = keep(Replica.create(dir, RES, "b", SIZE, GEN));
        Replica.Standby standby = b.new Standby("b", 0);
        int peerPort = standby.address().getPort();
        InMemoryReplicaStatePort port = new InMemoryReplicaStatePort("b", ReplicaState.UP_TO_DATE);
        MirrorPrimary p = primary(a, standby.address(), 3, port, fast());
        awaitInSync(p);

        // The standby goes away while four writers have writes in flight; every write still returns
        // (the peer is committed Outdated first), and whatever the peer lacks is in the bitmap.
        java.util.concurrent.atomic.AtomicInteger returned = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Void> cut = new CompletableFuture<>();
        concurrentWrites(p, 4, 150, () -> {
            if (returned.incrementAndGet() == 200) {
                standby.close();
                cut.complete(null);
            }
        });
        assertTrue(cut.isDone());
        assertEquals("b=OUTDATED", port.commits.get(0));
        assertFalse(p.status().connected() && p.status().inSync());

        Replica.Standby again = keep(b.new Standby("b", peerPort));
        await().atMost(WAIT).until(() -> p.status().inSync());
        p.flush();
        assertArrayEquals(a.bytes(), b.bytes(), "the differential resync left nothing out");
        assertEquals(ReplicaState.UP_TO_DATE, p.status().committed());
        again.close();
    }

    @Test
    void aLocalReplicaThatAppliesCommitsLateDoesNotMakeTheNextWriteCommitAgain() throws Exception {
        Replica a = keep(Replica.create(dir, RES, "a", SIZE, GEN));
        Replica b = keep(Replica.create(dir, RES, "b", SIZE, GEN));
        Replica.Standby standby = b.new Standby("b", 0);
        InMemoryReplicaStatePort port = new InMemoryReplicaStatePort("b", ReplicaState.UP_TO_DATE);
        MirrorPrimary p = primary(a, standby.address(), 3, port, fast());
        awaitInSync(p);
        standby.close();
        await().atMost(WAIT).until(() -> !p.status().connected());

        port.applyLags = true; // committed() still says UpToDate after OUTDATED is recorded
        p.write(100 * 4096L, ByteBuffer.wrap(randomBlock(1)));
        p.write(200 * 4096L, ByteBuffer.wrap(randomBlock(1)));
        p.flush();
        assertEquals(List.of("b=OUTDATED"), port.commits, "the primary knows what it recorded itself");
        assertEquals(ReplicaState.OUTDATED, p.status().committed());
    }

    @Test
    void peerLossCommitsOutdatedBeforeTheWriteReturnsThenDifferentialResync() throws Exception {
        Replica a = keep(Replica.create(dir, RES, "a", SIZE, GEN));
        Replica b = keep(Replica.create(dir, RES, "b", SIZE, GEN));
        Replica.Standby standby = b.new Standby("b", 0);
        int peerPort = standby.address().getPort();
        InMemoryReplicaStatePort port = new InMemoryReplicaStatePort("b", ReplicaState.UP_TO_DATE);
        MirrorPrimary p = primary(a, standby.address(), 3, port, fast());
        awaitInSync(p);
        p.write(0, ByteBuffer.wrap(randomBlock(4)));
        p.flush();

        standby.close();
        await().atMost(WAIT).until(() -> !p.status().connected());
        assertEquals(List.of(), port.commits, "a link loss with nothing unflushed changes no state by itself");

        long block = 700;
        p.write(block * 4096, ByteBuffer.wrap(randomBlock(1)));
        // Read right after the write returned: the commit happened before.
        assertEquals(List.of("b=OUTDATED"), port.commits);
        assertTrue(a.area.loadBitmap().isDirty(block), "the block is in the persisted bitmap");
        assertTrue(a.area.current().has(Flag.PEER_TRACKED));
        assertEquals(GEN, a.area.current().previousGenerationId(), "the peer's generation is our previous one");
        p.write(900 * 4096L + 10, ByteBuffer.wrap(randomBlock(1), 0, 100));
        assertEquals(2 * 4096, p.status().bytesBehind());
        assertEquals(List.of("b=OUTDATED"), port.commits, "a tracked peer needs no further commits");

        Replica.Standby again = keep(b.new Standby("b", peerPort));
        await().atMost(WAIT).until(() -> p.status().inSync());
        assertEquals(List.of("b=OUTDATED", "b=INCONSISTENT", "b=UP_TO_DATE"), port.commits);
        assertEquals(2 * 4096, p.status().resyncBytesSent(), "only the dirty blocks were copied");
        assertEquals(0, p.status().bytesBehind());
        assertFalse(a.area.current().has(Flag.PEER_TRACKED));
        assertEquals(a.area.current().currentGenerationId(), b.area.current().currentGenerationId());
        assertFalse(b.area.current().has(Flag.RESYNC_IN_PROGRESS));
        p.write(5 * 4096L, ByteBuffer.wrap(randomBlock(2)));
        p.flush();
        assertArrayEquals(a.bytes(), b.bytes());
        again.close();
    }

    @Test
    void freshTargetGetsAFullResyncWithProgress() throws Exception {
        Replica a = keep(Replica.create(dir, RES, "a", SIZE, GEN));
        byte[] content = new byte[(int) SIZE];
        rnd.nextBytes(content);
        a.data.write(ByteBuffer.wrap(content), 0);
        Replica b = keep(Replica.create(dir, RES, "b", SIZE, 0));
        Replica.Standby standby = keep(b.new Standby("b", 0));
        InMemoryReplicaStatePort port = new InMemoryReplicaStatePort("b", ReplicaState.INCONSISTENT);
        // 4 MiB at 8 MiB/s in 64 KiB chunks: about half a second, long enough to see progress.
        MirrorPrimary p = primary(a, standby.address(), 1, port,
                fast().withResyncRate(8L << 20, 64 << 10, 256 << 10));
        assertEquals(SIZE, p.status().bytesBehind(), "a never-synced peer lacks everything");

        await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> p.status().syncing() && p.status().progressPercent() > 0 && p.status().progressPercent() < 100);
        assertTrue(b.area.current().has(Flag.RESYNC_IN_PROGRESS), "the target knows it is mid-resync");
        p.write(123 * 4096L, ByteBuffer.wrap(randomBlock(3))); // a live write during the resync
        awaitInSync(p);
        assertEquals(100, p.status().progressPercent());
        assertEquals(SIZE, p.status().resyncBytesSent());
        assertEquals(List.of("b=UP_TO_DATE"), port.commits);
        p.flush();
        assertArrayEquals(a.bytes(), b.bytes());
        assertFalse(b.area.current().has(Flag.RESYNC_IN_PROGRESS));
    }

    @Test
    void interruptedResyncResumesFromItsProgress() throws Exception {
        Replica a = keep(Replica.create(dir, RES, "a", SIZE, GEN));
        byte[] content = new byte[(int) SIZE];
        rnd.nextBytes(content);
        a.data.write(ByteBuffer.wrap(content), 0);
        Replica b = keep(Replica.create(dir, RES, "b", SIZE, 0));
        Replica.Standby standby = b.new Standby("b", 0);
        int peerPort = standby.address().getPort();
        InMemoryReplicaStatePort port = new InMemoryReplicaStatePort("b", ReplicaState.INCONSISTENT);
        MirrorPrimary p = primary(a, standby.address(), 1, port,
                fast().withResyncRate(4L << 20, 64 << 10, 128 << 10));

        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> p.status().resyncBytesSent() >= SIZE / 2);
        standby.close();
        await().atMost(WAIT).until(() -> !p.status().connected());
        long sentBefore = p.status().resyncBytesSent();
        assertTrue(p.status().bytesBehind() < SIZE, "progress survived: " + p.status());
        assertTrue(b.area.current().has(Flag.RESYNC_IN_PROGRESS));

        Replica.Standby again = keep(b.new Standby("b", peerPort));
        awaitInSync(p);
        long total = p.status().resyncBytesSent();
        assertTrue(total < SIZE + SIZE / 4, "resumed, not restarted: " + total + " bytes sent, " + sentBefore
                + " before the interruption, size " + SIZE);
        assertEquals(ReplicaState.UP_TO_DATE, port.committed("b"));
        p.flush();
        assertArrayEquals(a.bytes(), b.bytes());
        again.close();
    }

    @Test
    void aDeposedPrimaryIsFencedAndChangesNothing() throws Exception {
        Replica a = keep(Replica.create(dir, RES, "a", SIZE, GEN));
        Replica b = keep(Replica.create(dir, RES, "b", SIZE, GEN));
        Replica.Standby standby = b.new Standby("b", 0);
        int peerPort = standby.address().getPort();
        InMemoryReplicaStatePort port = new InMemoryReplicaStatePort("b", ReplicaState.UP_TO_DATE);
        MirrorPrimary p7 = primary(a, standby.address(), 7, port, fast());
        awaitInSync(p7);
        p7.write(0, ByteBuffer.wrap(randomBlock(1)));
        p7.close();
        standby.close();

        // The target's epoch survives a restart.
        b.close();
        b.open();
        assertEquals(7, b.area.current().highestEpochSeen());
        Replica.Standby again = keep(b.new Standby("b", peerPort));
        byte[] before = b.bytes();

        // Another node's primary at a lower epoch (a deposed owner that does not know it yet).
        Replica c = keep(Replica.create(dir.resolve("c"), RES, "a", SIZE, GEN));
        MirrorPrimary p5 = primary(c, again.address(), 5, new InMemoryReplicaStatePort("b", ReplicaState.UP_TO_DATE),
                fast());
        await().atMost(WAIT).until(() -> p5.status().fenced());
        assertTrue(p5.status().lastError().contains("epoch 7"), p5.status().lastError());
        IOException e = assertThrows(IOException.class, () -> p5.write(0, ByteBuffer.wrap(randomBlock(1))));
        assertTrue(e.getMessage().contains("fenced"), e.getMessage());
        assertArrayEquals(before, b.bytes(), "the deposed primary changed nothing on the target");
        assertEquals(7, b.area.current().highestEpochSeen());
    }

    @Test
    void withoutQuorumAWriteWaitsUntilFenced() throws Exception {
        Replica a = keep(Replica.create(dir, RES, "a", SIZE, GEN));
        Replica b = keep(Replica.create(dir, RES, "b", SIZE, GEN));
        Replica.Standby standby = b.new Standby("b", 0);
        InMemoryReplicaStatePort port = new InMemoryReplicaStatePort("b", ReplicaState.UP_TO_DATE);
        MirrorPrimary p = primary(a, standby.address(), 2, port,
                fast().withPeerAckTimeout(Duration.ofMillis(500)));
        awaitInSync(p);
        port.noQuorum = true;
        standby.close();

        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
            try {
                p.write(0, ByteBuffer.wrap(randomBlock(1)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        await().atMost(WAIT).until(() -> port.failedAttempts.get() >= 2);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !write.isDone());
        assertEquals(ReplicaState.UP_TO_DATE, port.committed("b"));

        p.fence();
        ExecutionException e = assertThrows(ExecutionException.class, () -> write.get(5, TimeUnit.SECONDS));
        assertInstanceOf(java.io.UncheckedIOException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("fenced"), e.getCause().getMessage());
        assertThrows(IOException.class, () -> p.flush());
    }

    @Test
    void helloWithAnotherSizeOrResourceIsRefusedWithTheReason() throws Exception {
        Replica b = keep(Replica.create(dir, RES, "b", SIZE, GEN));
        Replica.Standby standby = keep(b.new Standby("b", 0));

        Replica big = keep(Replica.create(dir.resolve("big"), RES, "a", 2 * SIZE, GEN));
        MirrorPrimary p = primary(big, standby.address(), 1, new InMemoryReplicaStatePort("b", ReplicaState.INCONSISTENT), fast());
        await().atMost(WAIT).until(() -> p.status().lastError() != null && p.status().lastError().contains("refuses"));
        String why = p.status().lastError();
        assertTrue(why.contains(String.valueOf(2 * SIZE)) && why.contains(String.valueOf(SIZE)), why);
        assertFalse(p.status().connected());

        Replica o = keep(Replica.create(dir.resolve("other"), "web/other", "a", SIZE, GEN));
        MirrorPrimary q = new MirrorPrimary("web/other", "a", "b", standby.address(), o.data, o.area, 1,
                new InMemoryReplicaStatePort("b", ReplicaState.INCONSISTENT), fast(), System::nanoTime);
        q.start();
        open.add(() -> { q.fence(); q.close(); });
        await().atMost(WAIT).until(() -> q.status().lastError() != null
                && q.status().lastError().contains("not a standby for mirror resource web/other"));
        assertEquals(GEN, b.area.current().currentGenerationId());
        assertEquals(0, b.area.current().highestEpochSeen(), "a refused HELLO does not raise the epoch");
    }


    @Test
    void aResyncResumesAfterThePrimaryRestartsCleanlyOrCrashes() throws Exception {
        Replica a = keep(Replica.create(dir, RES, "a", SIZE, GEN));
        byte[] content = new byte[(int) SIZE];
        rnd.nextBytes(content);
        a.data.write(ByteBuffer.wrap(content), 0);
        Replica b = keep(Replica.create(dir, RES, "b", SIZE, 0));
        Replica.Standby standby = keep(b.new Standby("b", 0));
        InMemoryReplicaStatePort port = new InMemoryReplicaStatePort("b", ReplicaState.INCONSISTENT);
        MirrorSettings slow = fast().withResyncRate(4L << 20, 64 << 10, 128 << 10);

        MirrorPrimary first = primary(a, standby.address(), 1, port, slow);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> first.status().resyncBytesSent() >= SIZE / 3);
        first.close();                                   // a clean stop mid-resync
        long sent = first.status().resyncBytesSent();

        MirrorPrimary second = primary(a, standby.address(), 2, port, slow);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> second.status().resyncBytesSent() >= SIZE / 3);
        crash(second);                                   // then a crash mid-resync
        sent += second.status().resyncBytesSent();

        MirrorPrimary third = primary(a, standby.address(), 3, port, fast());
        awaitInSync(third);
        sent += third.status().resyncBytesSent();
        assertTrue(sent < SIZE + SIZE / 4, "resumed twice, not restarted: " + sent + " bytes for a " + SIZE + "-byte disk");
        assertEquals(ReplicaState.UP_TO_DATE, port.committed("b"));
        third.flush();
        assertArrayEquals(a.bytes(), b.bytes());
    }

    // ---- the activity log: a primary that crashed resyncs its hot extents, not the disk ----

    private static final long EXTENT = ActiveExtents.EXTENT_BYTES;
    /** 16 extents of 4 MiB. */
    private static final long BIG = 16 * EXTENT;

    /** Primary a (epoch 3) and standby b of {@code size} bytes, one lineage, b UpToDate, in sync. */
    private record InSyncPair(Replica a, Replica b, Replica.Standby standby, InMemoryReplicaStatePort port,
                              MirrorPrimary primary) {}

    private InSyncPair inSyncPair(long size) throws Exception {
        Replica a = keep(Replica.create(dir, RES, "a", size, GEN));
        Replica b = keep(Replica.create(dir, RES, "b", size, GEN));
        Replica.Standby standby = b.new Standby("b", 0);
        InMemoryReplicaStatePort port = new InMemoryReplicaStatePort("b", ReplicaState.UP_TO_DATE);
        MirrorPrimary p = primary(a, standby.address(), 3, port, fast());
        awaitInSync(p);
        return new InSyncPair(a, b, standby, port, p);
    }

    /**
     * An operator replaced the peer (batonctl node replace): the primary drops the old one and copies
     * the whole disk to the new one, a blank replica, whose state goes UpToDate only at the end; the
     * old one hears nothing more.
     */
    @Test
    void aReplacedPeerGetsTheWholeDiskAndIsUpToDateOnlyAtTheEnd() throws Exception {
        InSyncPair pair = inSyncPair(SIZE);
        pair.primary().write(10 * 4096L, ByteBuffer.wrap(randomBlock(4)));
        pair.primary().flush();
        Replica c = keep(Replica.create(dir, RES, "c", SIZE, 0));
        Replica.Standby newStandby = keep(c.new Standby("c", 0));
        // The membership records the new member Inconsistent before the owner follows it.
        pair.port().states.put("c", ReplicaState.INCONSISTENT);

        pair.primary().retarget("c", newStandby.address());
        byte[] during = randomBlock(2);
        pair.primary().write(500 * 4096L, ByteBuffer.wrap(during)); // a write while c is being copied
        await().atMost(WAIT).until(() -> pair.primary().status().inSync() && "c".equals(pair.primary().status().peerNode()));
        pair.primary().flush();

        assertArrayEquals(pair.a().bytes(), c.bytes(), "c has the whole disk");
        assertEquals(SIZE, pair.primary().status().resyncBytesSent(), "a full resync, however in sync b was");
        assertEquals(List.of("c=UP_TO_DATE"), pair.port().commits, "UpToDate only at the end; nothing recorded for b");
        byte[] bAfter = pair.b().bytes();
        assertFalse(java.util.Arrays.equals(pair.a().bytes(), bAfter), "the old peer got none of the later writes");
    }

    /** A primary crash: no flush, no clean shutdown recorded; the files stay as the crash left them. */
    private static void crash(MirrorPrimary p) {
        p.fence();
    }

    /** What a write that reached this replica's disk but never its peer leaves: different bytes at {@code offset}. */
    private void writeOnlyHere(Replica r, long offset) throws IOException {
        r.data.write(ByteBuffer.wrap(randomBlock(1)), offset);
    }

    @Test
    void aPrimaryThatCrashedResyncsOnlyTheExtentsOfItsActivityLog() throws Exception {
        InSyncPair pair = inSyncPair(BIG);
        Replica a = pair.a();
        Replica b = pair.b();
        Replica.Standby standby = pair.standby();
        int peerPort = standby.address().getPort();
        InMemoryReplicaStatePort port = pair.port();
        MirrorPrimary p = pair.primary();
        p.write(2 * EXTENT, ByteBuffer.wrap(randomBlock(4)));
        p.flush();
        p.write(9 * EXTENT + 8192, ByteBuffer.wrap(randomBlock(2)));
        assertArrayEquals(new int[] {2, 9}, a.area.activityLog().orElseThrow().extents());
        writeOnlyHere(a, 9 * EXTENT + 40960);                 // in flight when the node died
        crash(p);
        standby.close();

        Replica.Standby again = keep(b.new Standby("b", peerPort));
        MirrorPrimary back = primary(a, again.address(), 4, port, fast());
        awaitInSync(back);
        assertEquals(2 * EXTENT, back.status().resyncBytesSent(), "two extents, not the " + BIG + "-byte disk");
        assertEquals(List.of("b=INCONSISTENT", "b=UP_TO_DATE"), port.commits, "never UpToDate before the copy ended");
        back.flush();
        assertArrayEquals(a.bytes(), b.bytes());
    }

    @Test
    void aCrashedPrimaryReturningAsStandbyGetsItsActivityLogsExtentsFromTheNewPrimary() throws Exception {
        InSyncPair pair = inSyncPair(BIG);
        Replica a = pair.a();
        Replica b = pair.b();
        Replica.Standby bStandby = pair.standby();
        MirrorPrimary pa = pair.primary();
        pa.write(3 * EXTENT, ByteBuffer.wrap(randomBlock(1)));
        pa.write(7 * EXTENT, ByteBuffer.wrap(randomBlock(1)));
        writeOnlyHere(a, 7 * EXTENT + 4096);                  // reached a's disk, never b
        crash(pa);
        bStandby.close();

        // b takes over at epoch 4 and writes while a is away: a is Outdated, b tracks it.
        Replica.Standby aStandby = a.new Standby("a", 0);
        int aPort = aStandby.address().getPort();
        aStandby.close();
        InMemoryReplicaStatePort portB = new InMemoryReplicaStatePort("a", ReplicaState.UP_TO_DATE);
        MirrorPrimary pb = new MirrorPrimary(RES, "b", "a", new InetSocketAddress("127.0.0.1", aPort), b.data, b.area, 4,
                portB, fast(), System::nanoTime);
        pb.start();
        open.add(() -> {
            pb.fence();
            pb.close();
        });
        pb.write(12 * EXTENT, ByteBuffer.wrap(randomBlock(2)));
        assertEquals(List.of("a=OUTDATED"), portB.commits);

        Replica.Standby aBack = keep(a.new Standby("a", aPort));
        awaitInSync(pb);
        assertEquals(2 * 4096 + 2 * EXTENT, pb.status().resyncBytesSent(),
                "b's two blocks and a's two active extents, not the " + BIG + "-byte disk");
        assertEquals(List.of("a=OUTDATED", "a=INCONSISTENT", "a=UP_TO_DATE"), portB.commits);
        assertFalse(a.area.current().has(Flag.WAS_PRIMARY), "a's record no longer counts");
        pb.flush();
        assertArrayEquals(b.bytes(), a.bytes(), "a's stray write is gone, b's writes are there");
        aBack.close();
    }

    @Test
    void aCrashedPrimaryWithoutAnActivityLogRecordGetsAFullResync() throws Exception {
        InSyncPair pair = inSyncPair(BIG);
        Replica a = pair.a();
        Replica b = pair.b();
        Replica.Standby standby = pair.standby();
        int peerPort = standby.address().getPort();
        InMemoryReplicaStatePort port = pair.port();
        MirrorPrimary p = pair.primary();
        p.write(5 * EXTENT, ByteBuffer.wrap(randomBlock(1)));
        crash(p);
        standby.close();
        // As an area of a build without the activity log: its slots are blank.
        a.area.close();
        long slots = MetadataArea.requiredSizeBytes(BIG) - 2 * ActiveExtents.SLOT_BYTES;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(a.metaPath,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(slots);
        }
        a.area = MetadataArea.open(a.metaPath);

        Replica.Standby again = keep(b.new Standby("b", peerPort));
        MirrorPrimary back = primary(a, again.address(), 4, port, fast());
        awaitInSync(back);
        assertEquals(BIG, back.status().resyncBytesSent(), "nothing says where the writes were: everything");
        back.flush();
        assertArrayEquals(a.bytes(), b.bytes());
    }
}

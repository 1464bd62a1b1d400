package io.baton.it.bench;

import io.baton.resources.mirror.engine.RateLimiter;
import io.baton.resources.mirror.engine.ReplicaStatePort.ReplicaState;
import io.baton.resources.mirror.engine.MirrorPrimary;
import io.baton.resources.mirror.engine.MirrorSettings;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Resync time of the replication engine alone (no FUSE), on a pair of image files on one disk:
 * a full sync into a fresh standby (generation 0, committed Inconsistent), then twice a
 * differential resync after the standby was away while 1 % of the blocks were written through
 * {@link MirrorPrimary#write}: once as random single 4 KiB blocks, once as random aligned 64 KiB
 * extents. Resync rate unlimited, 1 MiB chunks, FLUSH every 16 MiB (the defaults otherwise).
 *
 * <p>Times run from the standby listening again (full sync: from {@link MirrorPrimary#start}) until
 * {@code status().inSync()} and the port holds UpToDate(peer). The primary retries its peer every
 * 10 ms here (250 ms by default), so the reconnect wait hardly counts; the time from the resync's
 * start (the link being up) is reported too.
 */
final class ResyncBench {

    private static final int BLOCK = 4096;
    private static final Duration RECONNECT = Duration.ofMillis(10);

    private record Timing(double fromListenMs, double fromLinkMs, long bytes) {}

    private ResyncBench() {}

    static void run(long sizeBytes, int rounds) throws Exception {
        List<String> names = List.of("full sync (fresh standby)", "1 % dirty: random 4 KiB blocks",
                "1 % dirty: random 64 KiB extents");
        List<List<Timing>> results = new ArrayList<>();
        names.forEach(n -> results.add(new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            Path work = Files.createTempDirectory("baton-resync-bench");
            try {
                List<Timing> t = round(work, sizeBytes, new Random(round));
                for (int i = 0; i < t.size(); i++) {
                    results.get(i).add(t.get(i));
                    System.out.printf("round %d, %s: %.0f ms (%.0f ms from the link up), %d bytes sent%n", round,
                            names.get(i), t.get(i).fromListenMs(), t.get(i).fromLinkMs(), t.get(i).bytes());
                }
            } finally {
                deleteTree(work);
            }
        }
        System.out.printf("%nResync on a %d MiB mirror, both replicas on one disk, loopback, rate unlimited; "
                + "median of %d rounds%n%n", sizeBytes >> 20, rounds);
        System.out.println("| resync | bytes copied | time ms | from link up ms | MB/s | vs full sync |");
        System.out.println("|---|---|---|---|---|---|");
        double full = median(results.get(0), Timing::fromListenMs);
        for (int i = 0; i < names.size(); i++) {
            List<Timing> r = results.get(i);
            double ms = median(r, Timing::fromListenMs);
            double bytes = median(r, t -> t.bytes());
            System.out.printf("| %s | %.0f | %.0f | %.0f | %.0f | %.1f %% |%n", names.get(i), bytes, ms,
                    median(r, Timing::fromLinkMs), bytes / 1e6 / (ms / 1e3), ms * 100 / full);
        }
        System.out.println("\nTarget: 1 %-dirty resync <= 5 % of the full sync's time.");
    }

    /** One round in {@code work}: returns the full sync's, then the two differential resyncs' timings. */
    private static List<Timing> round(Path work, long size, Random random) throws Exception {
        List<Timing> timings = new ArrayList<>();
        try (BenchReplica standby = new BenchReplica(work, "b", size, 0);
                BenchReplica local = new BenchReplica(work, "a", size, 0x5eed_0001L)) {
            fill(local, random); // real data to copy: holes would make the full sync's reads free
            InetSocketAddress peer = standby.serve("b", 0);
            BenchReplica.MapStatePort port = new BenchReplica.MapStatePort("b", ReplicaState.INCONSISTENT);
            MirrorSettings settings = new MirrorSettings(Duration.ofSeconds(10), RECONNECT,
                    RateLimiter.MAX_RATE_BYTES_PER_SECOND, 1 << 20, 16L << 20, 4096);
            MirrorPrimary primary = new MirrorPrimary(BenchReplica.RESOURCE, "a", "b", peer, local.data, local.writeBehind, local.area,
                    1, port, settings, System::nanoTime);
            try {
                long start = System.nanoTime();
                primary.start();
                timings.add(awaitResync(primary, port, start, 0));
                timings.add(differential(primary, port, standby, peer.getPort(), size, 1, random));
                timings.add(differential(primary, port, standby, peer.getPort(), size, 16, random));
                primary.flush();
            } finally {
                primary.close();
            }
            long mismatch = Files.mismatch(local.image, standby.image);
            if (mismatch != -1) {
                throw new IOException("after the resyncs the images differ at byte " + mismatch);
            }
        }
        return timings;
    }

    /**
     * Standby away; 1 % of the blocks written in random distinct aligned extents of
     * {@code extentBlocks}; standby back; timed until in sync again.
     */
    private static Timing differential(MirrorPrimary primary, BenchReplica.MapStatePort port, BenchReplica standby,
            int peerPort, long size, int extentBlocks, Random random) throws Exception {
        standby.stopServing();
        await(() -> !primary.status().connected(), 10_000, "primary noticing the standby gone");
        long extents = size / BLOCK / extentBlocks;
        int dirty = (int) (size / BLOCK / 100 / extentBlocks);
        BitSet picked = new BitSet();
        ByteBuffer buf = ByteBuffer.allocate(extentBlocks * BLOCK);
        for (int n = 0; n < dirty; ) {
            int e = (int) (random.nextDouble() * extents);
            if (!picked.get(e)) {
                picked.set(e);
                random.nextBytes(buf.array());
                primary.write((long) e * extentBlocks * BLOCK, buf.clear());
                n++;
            }
        }
        primary.flush(); // written back locally, as it would be long before a standby returns
        long before = primary.status().resyncBytesSent();
        long start = System.nanoTime();
        standby.serve("b", peerPort);
        return awaitResync(primary, port, start, before);
    }

    /** Waits until the peer is in sync and committed UpToDate; times from {@code start}. */
    private static Timing awaitResync(MirrorPrimary primary, BenchReplica.MapStatePort port, long start,
            long sentBefore) throws IOException {
        long linkUp = 0;
        long deadline = start + 600_000_000_000L;
        while (!(primary.status().inSync() && port.committed("b") == ReplicaState.UP_TO_DATE)) {
            if (linkUp == 0 && primary.status().connected()) {
                linkUp = System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("no resync within 10 minutes: " + primary.status());
            }
            LockSupport.parkNanos(100_000); // 0.1 ms: fine enough for resyncs of tens of ms
        }
        long end = System.nanoTime();
        if (linkUp == 0) {
            linkUp = end;
        }
        return new Timing((end - start) / 1e6, (end - linkUp) / 1e6, primary.status().resyncBytesSent() - sentBefore);
    }

    /** Writes random bytes over the whole image and syncs them. */
    private static void fill(BenchReplica replica, Random random) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        byte[] chunk = new byte[1 << 20];
        long size = replica.data.size();
        for (long pos = 0; pos < size; pos += chunk.length) {
            random.nextBytes(chunk);
            buf.clear().put(chunk).flip();
            while (buf.hasRemaining()) {
                replica.data.write(buf, pos + buf.position());
            }
        }
        replica.data.force(false);
    }

    static void await(BooleanSupplier condition, long timeoutMillis, String what) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out after " + timeoutMillis + " ms waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static double median(List<Timing> timings, java.util.function.ToDoubleFunction<Timing> f) {
        return DataPathBench.median(timings.stream().mapToDouble(f).toArray());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

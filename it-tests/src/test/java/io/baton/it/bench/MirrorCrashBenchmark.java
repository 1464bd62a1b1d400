package io.baton.it.bench;

import static io.baton.it.bench.FailoverBenchmark.HEARTBEAT;
import static io.baton.it.bench.FailoverBenchmark.LEASE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.it.LocalCluster;
import io.baton.it.RunDirs;
import io.baton.proto.ReplicaStateProto;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's activity log, measured end to end: a loopback TLS cluster whose group has a 1 GiB
 * mirror disk (ext4). In each trial a writer on the owner's mount appends fsynced 4 KiB records to
 * a log file and, every tenth record, rewrites a random 4 KiB page of a 64 MiB table file, fsynced;
 * the owner is SIGKILLed under it, the other node takes over, the killed node is started again and
 * resynced. Reported: what that resync copied (the new owner's resync bytes once the returning
 * replica is UpToDate), against the 1 GiB a full resync copies. The owner alternates between trials.
 * Not a test: {@code bin/baton-bench mirror-crash [TRIALS]} (root).
 */
class MirrorCrashBenchmark {
    static final long DISK = 1L << 30;
    static final long TABLE = 64L << 20;
    static final int RECORD = 4096;
    static final Duration LONG = Duration.ofSeconds(180);

    @Test
    void theResyncAfterAKilledOwnerCopiesItsActivityLogNotTheDisk() throws Exception {
        assumeTrue(Boolean.getBoolean("baton.bench"), "benchmark: run with bin/baton-bench mirror-crash");
        assumeTrue("root".equals(System.getProperty("user.name")), "the mirror disk needs root");
        int trials = Integer.getInteger("bench.trials", 5);
        Path dir = RunDirs.fresh("bench-mirror-crash");
        try (LocalCluster cluster = new LocalCluster(dir, "127.0.34", HEARTBEAT, LEASE, DISK)) {
            cluster.startAll();
            cluster.awaitAllUp(LONG);
            cluster.awaitOnline("server1", LONG);
            awaitReplica(cluster, "server2", LONG);
            writeTable(cluster.mountPoint("server1").resolve("table.bin"));
            System.out.println("Baton mirror crash benchmark: 1 GiB mirror disk, ext4, writer fsyncing 4 KiB records"
                    + " (and a random 4 KiB page of a 64 MiB table every 10th), owner SIGKILLed under it");
            List<Long> copied = new ArrayList<>();
            String owner = "server1";
            for (int t = 0; t < trials; t++) {
                String other = owner.equals("server1") ? "server2" : "server1";
                AtomicLong acknowledged = new AtomicLong();
                Thread writer = writer(cluster.mountPoint(owner), t, acknowledged);
                await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= 1000 || !writer.isAlive());
                cluster.kill(owner);
                cluster.awaitOnline(other, LONG);
                writer.join(30_000);
                cluster.start(owner);
                awaitReplica(cluster, owner, LONG);
                long sent = resyncBytesSent(cluster, owner);
                copied.add(sent);
                System.out.printf("trial %d: %s killed after %d records; resync copied %.1f MiB of %d MiB (%.2f %%)%n",
                        t + 1, owner, acknowledged.get(), sent / 1048576.0, DISK >> 20, 100.0 * sent / DISK);
                owner = other;
            }
            long[] sorted = copied.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("copied after a killed owner: median %.1f MiB, max %.1f MiB (%.2f %% of a full resync's"
                            + " %d MiB at most)%n", sorted[sorted.length / 2] / 1048576.0,
                    sorted[sorted.length - 1] / 1048576.0, 100.0 * sorted[sorted.length - 1] / DISK, DISK >> 20);
        }
    }

    private static void writeTable(Path table) throws Exception {
        try (FileChannel ch = FileChannel.open(table, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            for (long at = 0; at < TABLE; at += chunk.capacity()) {
                chunk.clear();
                ch.write(chunk, at);
            }
            ch.force(true);
        }
    }

    /** Appends fsynced records to log-T and rewrites table pages until its node dies (or 5 minutes). */
    private static Thread writer(Path mount, int trial, AtomicLong acknowledged) {
        Thread w = new Thread(() -> {
            Random random = new Random(trial);
            byte[] page = new byte[RECORD];
            try (FileChannel log = FileChannel.open(mount.resolve("log-" + trial), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileChannel table = FileChannel.open(mount.resolve("table.bin"), StandardOpenOption.WRITE)) {
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                for (long i = 0; System.nanoTime() < deadline; i++) {
                    random.nextBytes(page);
                    log.write(ByteBuffer.wrap(page), i * RECORD);
                    log.force(false);
                    if (i % 10 == 0) {
                        table.write(ByteBuffer.wrap(page), (long) random.nextInt((int) (TABLE / RECORD)) * RECORD);
                        table.force(false);
                    }
                    acknowledged.set(i + 1);
                }
            } catch (Exception e) {
                // the node under the mount was killed: the writer's end
            }
        }, "crash-bench-writer");
        w.setDaemon(true);
        w.start();
        return w;
    }

    private static void awaitReplica(LocalCluster cluster, String node, Duration within) {
        cluster.awaitReplica(node, ReplicaStateProto.REPLICA_UP_TO_DATE, within);
    }

    /** The owner's resync bytes to {@code node}, once its report shows that peer in sync. */
    private static long resyncBytesSent(LocalCluster cluster, String node) {
        return cluster.resyncBytesSentWhenInSync(node, -1, Duration.ofSeconds(30));
    }
}

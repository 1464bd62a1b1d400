package io.baton.it.bench;

import io.baton.resources.mirror.engine.MirrorPrimary;
import io.baton.resources.mirror.engine.MirrorSettings;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The replication engine alone, no FUSE, no filesystem: sequential writes of one size through a
 * {@link MirrorPrimary} to a standby on loopback, each waiting for its ack, then a flush; the time
 * per write (median of rounds). Shows what one round trip costs apart from the data path.
 *
 * <p>{@code java ... EngineBench [SIZE_KIB=1024] [WRITES=256] [ROUNDS=5]}
 */
public final class EngineBench {

    public static void main(String[] args) throws Exception {
        int sizeKib = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int writes = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int size = sizeKib * 1024;
        long disk = (long) size * writes;
        double[] perWriteMs = new double[rounds];
        double[] mbps = new double[rounds];
        ByteBuffer buf = ByteBuffer.allocateDirect(size);
        byte[] random = new byte[size];
        new SecureRandom().nextBytes(random);
        buf.put(random).flip();
        for (int r = 0; r < rounds; r++) {
            Path dir = Files.createTempDirectory("baton-engine-bench");
            long generation = new SecureRandom().nextLong() | 1;
            try (BenchReplica standby = new BenchReplica(dir, "b", disk, generation);
                 BenchReplica local = new BenchReplica(dir, "a", disk, generation)) {
                var peer = standby.serve("b", 0);
                var port = new BenchReplica.MapStatePort("b", io.baton.resources.mirror.engine.ReplicaStatePort.ReplicaState.UP_TO_DATE);
                MirrorPrimary primary = new MirrorPrimary(BenchReplica.RESOURCE, "a", "b", peer, local.data, local.writeBehind,
                        local.area, 1, port, MirrorSettings.defaults(), System::nanoTime);
                primary.start();
                try {
                    ResyncBench.await(() -> primary.status().inSync(), 10_000, "mirror pair in sync");
                    long t0 = System.nanoTime();
                    for (int i = 0; i < writes; i++) {
                        primary.write((long) i * size, buf.duplicate());
                    }
                    long t1 = System.nanoTime();
                    primary.flush();
                    long t2 = System.nanoTime();
                    perWriteMs[r] = (t1 - t0) / 1e6 / writes;
                    mbps[r] = (double) disk / ((t2 - t0) / 1e9) / 1e6;
                } finally {
                    primary.close();
                }
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.delete(p);
                    }
                }
                Files.delete(dir);
            }
            System.out.printf("round %d: %.3f ms per %d KiB write, %.0f MB/s including the flush%n",
                    r + 1, perWriteMs[r], sizeKib, mbps[r]);
        }
        Arrays.sort(perWriteMs);
        Arrays.sort(mbps);
        System.out.printf("median: %.3f ms per %d KiB write, %.0f MB/s%n", perWriteMs[rounds / 2], sizeKib, mbps[rounds / 2]);
    }
}

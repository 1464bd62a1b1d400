package io.baton.it.bench;

import io.baton.resources.mirror.engine.ReplicaStatePort.ReplicaState;
import io.baton.resources.mirror.engine.MirrorPrimary;
import io.baton.resources.mirror.engine.MirrorSettings;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What the activity log costs a write, side by side in one run: the replication engine alone (no
 * FUSE) on a 1 GiB pair of image files on loopback, each write 4 KiB followed by a flush (an fsync
 * per write, the worst case for the log, which writes a record before a write enters an extent the
 * record lacks), with the log on and off in alternating rounds. Workloads: appending (a log file),
 * random over 16 MiB (a small hot table), random over the whole 1 GiB (no locality at all).
 * Prints the median time per write+flush and the records written per 1,000 writes.
 *
 * <p>{@code java ... ActivityLogBench [WRITES=2000] [ROUNDS=5]}
 */
public final class ActivityLogBench {

    private static final long DISK = 1L << 30;
    private static final int BLOCK = 4096;

    private record Workload(String name, long spanBytes, boolean sequential) {}

    private record Result(double medianUs, double p95Us, long records) {}

    private ActivityLogBench() {}

    public static void main(String[] args) throws Exception {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<Workload> workloads = List.of(new Workload("append", DISK, true),
                new Workload("random in 16 MiB", 16L << 20, false), new Workload("random in 1 GiB", DISK, false));
        System.out.printf("Baton activity log benchmark: %d writes of 4 KiB, each followed by a flush, %d rounds%n",
                writes, rounds);
        for (Workload w : workloads) {
            List<Result> on = new ArrayList<>();
            List<Result> off = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                // Alternate which goes first: the machine's noise falls on both.
                boolean onFirst = r % 2 == 0;
                Result a = run(w, writes, onFirst, r);
                Result b = run(w, writes, !onFirst, r);
                on.add(onFirst ? a : b);
                off.add(onFirst ? b : a);
            }
            System.out.printf("%-18s log on : median %6.0f us, p95 %6.0f us per write+flush, %4.0f records per 1000 writes%n",
                    w.name(), median(on, Result::medianUs), median(on, Result::p95Us),
                    1000.0 * median(on, x -> x.records()) / writes);
            System.out.printf("%-18s log off: median %6.0f us, p95 %6.0f us per write+flush%n",
                    w.name(), median(off, Result::medianUs), median(off, Result::p95Us));
        }
    }

    private static Result run(Workload w, int writes, boolean activityLog, int round) throws Exception {
        Path dir = Files.createTempDirectory("baton-al-bench");
        long generation = new SecureRandom().nextLong() | 1;
        Random random = new Random(round);
        ByteBuffer block = ByteBuffer.allocateDirect(BLOCK);
        byte[] bytes = new byte[BLOCK];
        random.nextBytes(bytes);
        block.put(bytes).flip();
        long[] micros = new long[writes];
        try (BenchReplica standby = new BenchReplica(dir, "b", DISK, generation);
             BenchReplica local = new BenchReplica(dir, "a", DISK, generation)) {
            var peer = standby.serve("b", 0);
            var port = new BenchReplica.MapStatePort("b", ReplicaState.UP_TO_DATE);
            MirrorPrimary primary = new MirrorPrimary(BenchReplica.RESOURCE, "a", "b", peer, local.data, local.writeBehind,
                    local.area, 1, port, MirrorSettings.defaults().withActivityLog(activityLog), System::nanoTime);
            primary.start();
            try {
                ResyncBench.await(() -> primary.status().inSync(), 10_000, "mirror pair in sync");
                long blocks = w.spanBytes() / BLOCK;
                for (int i = 0; i < writes; i++) {
                    long at = (w.sequential() ? i % blocks : (long) (random.nextDouble() * blocks)) * BLOCK;
                    long t0 = System.nanoTime();
                    primary.write(at, block.duplicate());
                    primary.flush();
                    micros[i] = (System.nanoTime() - t0) / 1000;
                }
                Arrays.sort(micros);
                return new Result(micros[writes / 2], micros[writes * 95 / 100], primary.status().activityRecords());
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
    }

    private static double median(List<Result> results, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = results.stream().mapToDouble(f).sorted().toArray();
        return v[v.length / 2];
    }
}

package io.baton.it.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

/**
 * Two figures for a mounted filesystem, the ones MIRROR.md compares data paths by:
 * <ul>
 *   <li>sequential throughput: N MiB in 1 MiB writes, ending in fsync (like {@code dd bs=1M conv=fsync});</li>
 *   <li>synchronous 4 KiB random writes: each pwrite followed by fdatasync into a file written
 *       (not just allocated) beforehand, so the filesystem only overwrites: median and p95 ms.</li>
 * </ul>
 * Each is repeated R times; the medians of the repeats are reported.
 *
 * <p>{@code java ... io.baton.it.bench.DiskBench DIR [MIB=200] [OPS=2000] [REPEATS=3]}
 */
public final class DiskBench {

    private static final int MIB = 1 << 20;
    private static final int BLOCK = 4096;
    private static final long RANDOM_FILE_BYTES = 64L * MIB;

    /** Medians over the repeats. */
    public record Result(double seqMBps, double randomMedianMs, double randomP95Ms) {}

    private DiskBench() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int ops = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Result r = run(dir, mib, ops, repeats);
        System.out.printf("%s: sequential %.0f MB/s; 4 KiB write+fdatasync median %.2f ms, p95 %.2f ms%n",
                dir, r.seqMBps(), r.randomMedianMs(), r.randomP95Ms());
    }

    public static Result run(Path dir, int seqMiB, int randomOps, int repeats) throws IOException {
        double[] seq = new double[repeats];
        double[] median = new double[repeats];
        double[] p95 = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            seq[i] = sequential(dir.resolve("bench-seq"), seqMiB);
            double[] lat = randomSync(dir.resolve("bench-random"), randomOps, i);
            median[i] = percentile(lat, 50);
            p95[i] = percentile(lat, 95);
        }
        return new Result(percentile(seq, 50), percentile(median, 50), percentile(p95, 50));
    }

    /** MB/s (10^6 bytes) for {@code mib} 1 MiB writes plus the final fsync. */
    static double sequential(Path file, int mib) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
        new Random(1).ints(MIB / 4).forEach(buf::putInt); // not zeros: no filesystem shortcut
        Files.deleteIfExists(file);
        long start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < mib; i++) {
                buf.clear();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            ch.force(true);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.delete(file);
        return mib * (double) MIB / 1e6 / seconds;
    }

    /** Latencies in ms of {@code ops} random aligned 4 KiB pwrite + fdatasync. */
    static double[] randomSync(Path file, int ops, long seed) throws IOException {
        prepare(file);
        ByteBuffer block = ByteBuffer.allocateDirect(BLOCK);
        Random random = new Random(seed);
        double[] ms = new double[ops];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long blocks = RANDOM_FILE_BYTES / BLOCK;
            for (int i = 0; i < ops; i++) {
                long offset = (long) (random.nextDouble() * blocks) * BLOCK;
                block.clear().putLong(0, i);
                long start = System.nanoTime();
                while (block.hasRemaining()) {
                    ch.write(block, offset + block.position());
                }
                ch.force(false);
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        return ms;
    }

    /** Writes the whole file once (then fsyncs), so that the random writes allocate nothing. */
    private static void prepare(Path file) throws IOException {
        if (Files.exists(file) && Files.size(file) == RANDOM_FILE_BYTES) {
            return;
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long done = 0; done < RANDOM_FILE_BYTES; done += MIB) {
                buf.clear();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            ch.force(true);
        }
    }

    static double percentile(double[] values, int pct) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(pct / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}

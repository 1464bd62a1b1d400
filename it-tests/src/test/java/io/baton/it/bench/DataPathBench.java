package io.baton.it.bench;

import io.baton.resources.mirror.datapath.DataArea;
import io.baton.resources.mirror.datapath.FileBlockStore;
import io.baton.resources.mirror.datapath.HostCommand;
import io.baton.resources.mirror.datapath.DataPath;
import io.baton.resources.mirror.datapath.Filesystems;
import io.baton.resources.mirror.datapath.FuseMount;
import io.baton.resources.mirror.datapath.LoopDevice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The mirror disk's data path against a plain loop device, side by side, as root: ext4 on
 * (a) an image file + loop, (b) the FUSE file serving a {@link FileBlockStore} on an image + loop,
 * with several FUSE and loop options. Each row gets a fresh image in a temporary directory.
 *
 * <p>{@code java ... io.baton.it.bench.DataPathBench [MIB=200] [OPS=2000] [ROUNDS=5] [IMAGE_MIB=512]}
 * (see bin/baton-disk-bench). Prints a Markdown table.
 */
public final class DataPathBench {

    private record Row(String name, DiskBench.Result result) {}

    /** A way to bring up a mounted ext4 on a fresh image, and to take it down (MirrorBench adds one). */
    interface Setup {
        AutoCloseable up(Path image, Path work, Path mountPoint) throws IOException;
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int ops = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        long imageBytes = (args.length > 3 ? Long.parseLong(args[3]) : 512) << 20;

        // Rounds: every configuration once per round, so that background load and the host disk's
        // moods spread over all rows alike rather than penalising whichever row ran at a bad time.
        List<String> names = List.of("plain image + loop", "FUSE direct_io + loop", "FUSE page cache + loop",
                "FUSE direct_io + loop --direct-io=on (default)", "FUSE page cache + loop --direct-io=on");
        List<Setup> setups = List.of(plain(), fuse(new FuseMount.Options(true), false),
                fuse(new FuseMount.Options(false), false), fuse(new FuseMount.Options(true), true),
                fuse(new FuseMount.Options(false), true));
        List<List<DiskBench.Result>> results = new ArrayList<>();
        names.forEach(n -> results.add(new ArrayList<>()));
        for (int round = 0; round < repeats; round++) {
            for (int i = 0; i < setups.size(); i++) {
                results.get(i).add(measure(names.get(i), setups.get(i), imageBytes, mib, ops));
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            List<DiskBench.Result> r = results.get(i);
            rows.add(new Row(names.get(i), new DiskBench.Result(
                    median(r.stream().mapToDouble(DiskBench.Result::seqMBps).toArray()),
                    median(r.stream().mapToDouble(DiskBench.Result::randomMedianMs).toArray()),
                    median(r.stream().mapToDouble(DiskBench.Result::randomP95Ms).toArray()))));
        }

        System.out.printf("%nMirror disk data path: ext4 on a %d MiB image; %d MiB sequential + fsync; %d x 4 KiB "
                + "write+fdatasync; median of %d rounds%n%n", imageBytes >> 20, mib, ops, repeats);
        System.out.println("| path | sequential MB/s | 4 KiB sync write median ms | p95 ms |");
        System.out.println("|---|---|---|---|");
        for (Row row : rows) {
            System.out.printf("| %s | %.0f | %.2f | %.2f |%n", row.name(), row.result().seqMBps(),
                    row.result().randomMedianMs(), row.result().randomP95Ms());
        }
    }

    static double median(double[] values) {
        return DiskBench.percentile(values, 50);
    }

    static DiskBench.Result measure(String name, Setup setup, long imageBytes, int mib, int ops) throws Exception {
        Path work = Files.createTempDirectory("baton-disk-bench");
        Path image = work.resolve("data.img");
        Path mountPoint = Files.createDirectory(work.resolve("mnt"));
        DataArea.createImage(image, imageBytes);
        try (AutoCloseable up = setup.up(image, work, mountPoint)) {
            DiskBench.Result result = DiskBench.run(mountPoint, mib, ops, 1);
            System.out.printf("%s: %.0f MB/s, %.2f / %.2f ms%n", name, result.seqMBps(), result.randomMedianMs(), result.randomP95Ms());
            return result;
        } finally {
            DataPath.cleanupLeftovers(work.resolve("fuse"), mountPoint, image);
            try (var files = Files.walk(work)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    static Setup plain() {
        return (image, work, mountPoint) -> {
            LoopDevice loop = LoopDevice.attach(image, false);
            Filesystems.mkfs(loop.device(), "ext4");
            Filesystems.mount(loop.device(), mountPoint, "ext4");
            return () -> {
                Filesystems.unmount(mountPoint);
                loop.detach();
            };
        };
    }

    static Setup fuse(FuseMount.Options options, boolean loopDirectIo) {
        return (image, work, mountPoint) -> {
            FileBlockStore store = FileBlockStore.open(image, 0);
            DataPath dataPath = new DataPath(options, loopDirectIo);
            dataPath.start(store, Files.createDirectory(work.resolve("fuse")), mountPoint, "ext4", true);
            HostCommand.Result dio = HostCommand.run("losetup", "--noheadings", "--output", "DIO", dataPath.device().toString());
            if (!dio.stdout().strip().equals(loopDirectIo ? "1" : "0")) {
                throw new IOException("loop direct I/O is " + dio.stdout().strip() + ", wanted " + loopDirectIo);
            }
            return () -> {
                dataPath.stop();
                store.close();
            };
        };
    }
}

package io.baton.it.bench;

import io.baton.resources.mirror.DataArea;
import io.baton.resources.mirror.FileBlockStore;
import io.baton.resources.mirror.HostCommand;
import io.baton.resources.mirror.fuse.DataPath;
import io.baton.resources.mirror.fuse.Filesystems;
import io.baton.resources.mirror.fuse.FuseMount;
import io.baton.resources.mirror.fuse.LoopDevice;

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
 * <p>{@code java ... io.baton.it.bench.DataPathBench [MIB=200] [OPS=2000] [REPEATS=3] [IMAGE_MIB=512]}
 * (see bin/baton-disk-bench). Prints a Markdown table.
 */
public final class DataPathBench {

    private record Row(String name, DiskBench.Result result) {}

    /** A way to bring up a mounted ext4 on a fresh image, and to take it down. */
    private interface Setup {
        AutoCloseable up(Path image, Path work, Path mountPoint) throws IOException;
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int ops = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long imageBytes = (args.length > 3 ? Long.parseLong(args[3]) : 512) << 20;

        List<Row> rows = new ArrayList<>();
        rows.add(measure("plain image + loop", plain(), imageBytes, mib, ops, repeats));
        rows.add(measure("FUSE direct_io + loop (default)", fuse(new FuseMount.Options(true, false), false), imageBytes, mib, ops, repeats));
        rows.add(measure("FUSE page cache + loop", fuse(new FuseMount.Options(false, false), false), imageBytes, mib, ops, repeats));
        rows.add(measure("FUSE direct_io + loop --direct-io=on", fuse(new FuseMount.Options(true, false), true), imageBytes, mib, ops, repeats));
        rows.add(measure("FUSE page cache + loop --direct-io=on", fuse(new FuseMount.Options(false, false), true), imageBytes, mib, ops, repeats));

        System.out.printf("%nMirror disk data path: ext4 on a %d MiB image; %d MiB sequential + fsync; %d x 4 KiB "
                + "write+fdatasync; median of %d runs%n%n", imageBytes >> 20, mib, ops, repeats);
        System.out.println("| path | sequential MB/s | 4 KiB sync write median ms | p95 ms |");
        System.out.println("|---|---|---|---|");
        for (Row row : rows) {
            System.out.printf("| %s | %.0f | %.2f | %.2f |%n", row.name(), row.result().seqMBps(),
                    row.result().randomMedianMs(), row.result().randomP95Ms());
        }
    }

    private static Row measure(String name, Setup setup, long imageBytes, int mib, int ops, int repeats) throws Exception {
        Path work = Files.createTempDirectory("baton-disk-bench");
        Path image = work.resolve("data.img");
        Path mountPoint = Files.createDirectory(work.resolve("mnt"));
        DataArea.createImage(image, imageBytes);
        try (AutoCloseable up = setup.up(image, work, mountPoint)) {
            DiskBench.Result result = DiskBench.run(mountPoint, mib, ops, repeats);
            System.out.printf("%s: %.0f MB/s, %.2f / %.2f ms%n", name, result.seqMBps(), result.randomMedianMs(), result.randomP95Ms());
            return new Row(name, result);
        } finally {
            DataPath.cleanupLeftovers(work.resolve("fuse"), mountPoint, image);
            try (var files = Files.walk(work)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static Setup plain() {
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

    private static Setup fuse(FuseMount.Options options, boolean loopDirectIo) {
        return (image, work, mountPoint) -> {
            FileBlockStore store = FileBlockStore.open(image, 0);
            DataPath dataPath = new DataPath(options, loopDirectIo);
            dataPath.start(store, Files.createDirectory(work.resolve("fuse")), mountPoint, "ext4", true);
            HostCommand.Result dio = HostCommand.run("losetup", "--noheadings", "--output", "DIO", dataPath.device().toString());
            System.out.printf("  loop %s direct I/O: %s%n", dataPath.device(), dio.stdout().strip());
            return () -> {
                dataPath.stop();
                store.close();
            };
        };
    }
}

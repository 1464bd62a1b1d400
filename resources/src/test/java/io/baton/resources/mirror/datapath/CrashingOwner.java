package io.baton.resources.mirror.datapath;


import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in owner daemon for {@link LeftoverCleanupTest}: brings the data path up, writes a
 * marker file (fsynced), prints READY and waits to be killed with SIGKILL.
 *
 * <p>Arguments: image, FUSE directory, mount point.
 */
public final class CrashingOwner {
    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        FileBlockStore store = FileBlockStore.open(image, 0);
        DataPath dataPath = new DataPath();
        dataPath.start(store, Path.of(args[1]), Path.of(args[2]), "ext4", true);
        DataPathTest.writeAndFsync(Path.of(args[2]).resolve("marker"), "before the crash".getBytes());
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

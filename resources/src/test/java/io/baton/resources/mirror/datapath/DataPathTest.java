package io.baton.resources.mirror.datapath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The owner's data path end to end, as root: FUSE file, loop device, ext4, mount, teardown. */
class DataPathTest {

    private static final long SIZE = 64L << 20;

    @TempDir
    Path tmp;
    private Path image;
    private Path fuseDir;
    private Path mountPoint;
    private Path verifyDir;
    private TestStore store;
    private DataPath dataPath;

    @BeforeEach
    void setUp() throws Exception {
        HostAssumptions.assumeDataPathAvailable();
        image = tmp.resolve("data.img");
        fuseDir = Files.createDirectory(tmp.resolve("fuse"));
        mountPoint = Files.createDirectory(tmp.resolve("mnt"));
        verifyDir = Files.createDirectory(tmp.resolve("verify"));
        DataArea.createImage(image, SIZE);
        store = new TestStore(FileBlockStore.open(image, SIZE));
        dataPath = new DataPath();
    }

    @AfterEach
    void tearDown() throws Exception {
        // Always leave the host clean, even after a failed assertion, before @TempDir is deleted.
        try {
            if (dataPath != null) {
                dataPath.stop();
            }
        } finally {
            try {
                if (mountPoint != null) {
                    DataPath.cleanupLeftovers(fuseDir, mountPoint, image);
                    Filesystems.unmount(verifyDir);
                    for (Path loop : LoopDevice.attachedTo(image)) {
                        LoopDevice.detach(loop);
                    }
                }
            } finally {
                if (store != null) {
                    store.close();
                }
            }
        }
    }

    @Test
    void dataWrittenAndFsyncedIsInTheImageAfterStopAndSurvivesARestart() throws Exception {
        dataPath.start(store, fuseDir, mountPoint, "ext4", true);
        assertTrue(dataPath.isMounted());
        byte[] content = randomBytes(3 << 20);
        writeAndFsync(mountPoint.resolve("hello.bin"), content);

        dataPath.stop();
        assertFalse(dataPath.isMounted());
        assertFalse(MountTable.isMountPoint(mountPoint));
        assertFalse(MountTable.isMountPoint(fuseDir));

        // Read the image directly, through a plain loop device: what the FUSE file stored is a valid ext4.
        HostCommand.check("mount", "-o", "ro,loop", "-t", "ext4", image.toString(), verifyDir.toString());
        try {
            assertArrayEquals(content, Files.readAllBytes(verifyDir.resolve("hello.bin")));
        } finally {
            Filesystems.unmount(verifyDir);
        }

        // formatIfEmpty does not format a disk that has a filesystem: the file is still there.
        dataPath.start(store, fuseDir, mountPoint, "ext4", true);
        assertArrayEquals(content, Files.readAllBytes(mountPoint.resolve("hello.bin")));
    }

    @Test
    void fsyncInTheMountedFilesystemFlushesTheStore() throws Exception {
        dataPath.start(store, fuseDir, mountPoint, "ext4", true);
        int before = store.flushes.get();
        writeAndFsync(mountPoint.resolve("a.bin"), randomBytes(64 << 10));
        assertTrue(store.flushes.get() > before, "fsync reached the store as a flush (" + before + " before, "
                + store.flushes.get() + " after)");
    }

    @Test
    void aFailingStoreIsEioForTheApplicationAndTeardownStillWorks() throws Exception {
        dataPath.start(store, fuseDir, mountPoint, "ext4", true);
        store.failWrites.set(true);
        assertThrows(IOException.class, () -> writeAndFsync(mountPoint.resolve("lost.bin"), randomBytes(1 << 20)));

        dataPath.stop();
        assertFalse(MountTable.isMountPoint(mountPoint));
        assertFalse(MountTable.isMountPoint(fuseDir));
        assertTrue(LoopDevice.attachedTo(fuseDir.resolve("disk")).isEmpty());
    }

    @Test
    void afterFenceWritesFailAndTeardownStillWorks() throws Exception {
        dataPath.start(store, fuseDir, mountPoint, "ext4", true);
        writeAndFsync(mountPoint.resolve("before.bin"), randomBytes(4096));
        dataPath.fence();
        assertThrows(IOException.class, () -> writeAndFsync(mountPoint.resolve("after.bin"), randomBytes(1 << 20)));
        dataPath.stop();
        assertFalse(MountTable.isMountPoint(fuseDir));
    }

    @Test
    void aMissingMountPointIsNamedAndNothingIsLeftBehind() throws Exception {
        Path missing = tmp.resolve("nowhere");
        DataPathException e = assertThrows(DataPathException.class,
                () -> dataPath.start(store, fuseDir, missing, "ext4", true));
        assertEquals("mount point " + missing + " does not exist", e.getMessage());
        assertNothingLeft();
    }

    @Test
    void aBusyMountPointIsRefused() throws Exception {
        HostCommand.check("mount", "-t", "tmpfs", "-o", "size=1m", "baton-test", mountPoint.toString());
        try {
            DataPathException e = assertThrows(DataPathException.class,
                    () -> dataPath.start(store, fuseDir, mountPoint, "ext4", true));
            assertTrue(e.getMessage().startsWith("mount point " + mountPoint + " is already a mount point"), e.getMessage());
        } finally {
            Filesystems.unmount(mountPoint);
        }
        assertNothingLeft();
    }

    @Test
    void anEmptyDiskThatIsNotNewIsNotFormatted() throws Exception {
        DataPathException e = assertThrows(DataPathException.class,
                () -> dataPath.start(store, fuseDir, mountPoint, "ext4", false));
        assertTrue(e.getMessage().contains("no filesystem on the mirror disk"), e.getMessage());
        assertTrue(e.getMessage().endsWith("and it is not new: refusing to format"), e.getMessage());
        assertNothingLeft();
        assertFalse(Filesystems.hasFilesystem(image));
    }

    @Test
    void startAndStopAreIdempotent() throws Exception {
        dataPath.stop();
        dataPath.start(store, fuseDir, mountPoint, "ext4", true);
        Path device = dataPath.device();
        dataPath.start(store, fuseDir, mountPoint, "ext4", true);
        assertEquals(device, dataPath.device());
        dataPath.stop();
        dataPath.stop();
        assertNothingLeft();
    }

    private void assertNothingLeft() throws IOException {
        assertFalse(MountTable.isMountPoint(mountPoint), "mount point left mounted");
        assertFalse(MountTable.isMountPoint(fuseDir), "FUSE directory left mounted");
        assertTrue(LoopDevice.attachedTo(fuseDir.resolve("disk")).isEmpty(), "loop device left attached");
        assertFalse(dataPath.isMounted());
    }

    static void writeAndFsync(Path file, byte[] content) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(true);
        }
    }

    static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }
}

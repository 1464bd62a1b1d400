package io.baton.resources.mirror.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon killed with SIGKILL leaves the filesystem mounted and the loop device attached on a
 * FUSE file nobody serves; cleanupLeftovers removes them and the disk comes up again with its data.
 */
class LeftoverCleanupTest {

    @TempDir
    Path tmp;
    private Path image;
    private Path fuseDir;
    private Path mountPoint;
    private Process owner;

    @BeforeEach
    void setUp() throws Exception {
        HostAssumptions.assumeDataPathAvailable();
        image = tmp.resolve("data.img");
        fuseDir = Files.createDirectory(tmp.resolve("fuse"));
        mountPoint = Files.createDirectory(tmp.resolve("mnt"));
        DataArea.createImage(image, 64L << 20);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (owner != null) {
            owner.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (mountPoint != null) {
            DataPath.cleanupLeftovers(fuseDir, mountPoint, image);
        }
    }

    @Test
    void anotherFilesystemOnTheMountPointIsLeftAlone() throws Exception {
        HostCommand.check("mount", "-t", "tmpfs", "-o", "size=1m", "baton-test-tmpfs", mountPoint.toString());
        try {
            DataPath.cleanupLeftovers(fuseDir, mountPoint, image);
            assertTrue(MountTable.isMountPoint(mountPoint), "cleanup unmounted somebody else's filesystem");
        } finally {
            HostCommand.check("umount", mountPoint.toString());
        }
    }

    @Test
    void leftoversOfAKilledOwnerAreCleanedUpAndTheDiskComesBack() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        owner = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashingOwner.class.getName(),
                image.toString(), fuseDir.toString(), mountPoint.toString())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
        String ready = CompletableFuture.supplyAsync(() -> readUntilReady(out)).get(60, TimeUnit.SECONDS);
        assertEquals("READY", ready);

        owner.destroyForcibly(); // SIGKILL: no shutdown hooks, nothing torn down
        assertTrue(owner.waitFor(30, TimeUnit.SECONDS));
        owner = null;
        assertTrue(MountTable.isMountPoint(mountPoint), "the killed owner left its filesystem mounted");
        assertFalse(LoopDevice.attachedTo(fuseDir.resolve("disk")).isEmpty(), "the killed owner left its loop device");

        DataPath.cleanupLeftovers(fuseDir, mountPoint, image);
        assertFalse(MountTable.isMountPoint(mountPoint));
        assertFalse(MountTable.isMountPoint(fuseDir));
        assertTrue(LoopDevice.attachedTo(fuseDir.resolve("disk")).isEmpty());

        // A second cleanup finds nothing to do.
        DataPath.cleanupLeftovers(fuseDir, mountPoint, image);

        assertTheDiskComesBackWithItsData();
    }

    /**
     * In a mount namespace of its own (a container, a systemd unit with private mounts, the lab's
     * {@code ip netns exec}) the killed owner was the last process of its namespace: the kernel tore
     * the namespace down before closing the killed process's descriptors, and unmounting the ext4 there
     * flushed it through the loop device to the FUSE file, a request only the dead process could
     * answer. The process never ended (state D, forever). With the namespace held by a child of the
     * owner, SIGKILL ends it at once and the leftovers are those of any crash.
     */
    @Test
    void anOwnerKilledInAMountNamespaceOfItsOwnEnds() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        owner = new ProcessBuilder("unshare", "--mount", "--propagation", "private", java, "-cp",
                System.getProperty("java.class.path"), CrashingOwner.class.getName(),
                image.toString(), fuseDir.toString(), mountPoint.toString())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
        String ready = CompletableFuture.supplyAsync(() -> readUntilReady(out)).get(60, TimeUnit.SECONDS);
        assertEquals("READY", ready);
        String fuseConnection = fuseConnectionOf(owner.pid(), fuseDir);
        assertFalse(MountTable.isMountPoint(mountPoint), "the owner's mounts are in its own namespace");

        owner.destroyForcibly();
        boolean ended = owner.waitFor(10, TimeUnit.SECONDS);
        if (!ended) {
            abortFuseConnection(fuseConnection); // or the process stays until the machine reboots
            assertTrue(owner.waitFor(30, TimeUnit.SECONDS), "the owner did not end even with its FUSE connection aborted");
        }
        owner = null;
        assertTrue(ended, "the owner killed in a mount namespace of its own did not end within 10 s");

        DataPath.cleanupLeftovers(fuseDir, mountPoint, image);
        assertTrue(LoopDevice.attachedTo(fuseDir.resolve("disk")).isEmpty());
        assertTheDiskComesBackWithItsData();
    }

    private void assertTheDiskComesBackWithItsData() throws Exception {
        try (FileBlockStore store = FileBlockStore.open(image, 0)) {
            DataPath dataPath = new DataPath();
            dataPath.start(store, fuseDir, mountPoint, "ext4", false);
            try {
                assertEquals("before the crash", Files.readString(mountPoint.resolve("marker")));
            } finally {
                dataPath.stop();
            }
        }
    }

    /** The fusectl name of the FUSE connection mounted at {@code dir} in process {@code pid}'s namespace: its device's minor. */
    private static String fuseConnectionOf(long pid, Path dir) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "mountinfo"))) {
            String[] f = line.split(" ");
            if (f[4].equals(dir.toString()) && line.contains(" - fuse")) {
                return f[2].substring(f[2].indexOf(':') + 1);
            }
        }
        throw new AssertionError("no FUSE mount at " + dir + " in process " + pid);
    }

    private static void abortFuseConnection(String connection) throws Exception {
        Path connections = Path.of("/sys/fs/fuse/connections");
        if (!Files.exists(connections.resolve(connection))) {
            HostCommand.check("mount", "-t", "fusectl", "fusectl", connections.toString());
        }
        Files.writeString(connections.resolve(connection).resolve("abort"), "1");
    }

    private static String readUntilReady(BufferedReader out) {
        try {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null) {
                if (line.equals("READY")) {
                    return line;
                }
                seen.append(line).append('\n');
            }
            return "owner exited before READY:\n" + seen;
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}

package io.baton.node.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ConfigLoader;
import io.baton.resources.mirror.datapath.DataArea;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a node's replicas at daemon start: what is created, and what is refused. */
class MirrorDisksTest {

    @TempDir
    Path dir;

    private final int mirrorPort = freePort();

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Node a's view of a two-node mirrored cluster named {@code cluster}, replicas under the temp dir. */
    private ClusterConfig config(String cluster) throws Exception {
        return ConfigLoader.parse("""
                cluster: {name: %s, heartbeat_interval: 250ms, lease: 3s}
                nodes:
                  - {id: a, role: data,    raft: 127.0.0.1:7400, admin: 127.0.0.1:7401, mirror: 127.0.0.1:%d}
                  - {id: b, role: data,    raft: 127.0.0.2:7400, admin: 127.0.0.2:7401, mirror: 127.0.0.2:7402}
                  - {id: w, role: witness, raft: 127.0.0.3:7400, admin: 127.0.0.3:7401}
                groups:
                  - name: web
                    nodes: [a, b]
                    resources:
                      - {type: mirror_disk, name: md, data: '%s/${node}.img', metadata: '%s/${node}.meta', size: 16MiB, mount: '%s/mnt'}
                """.formatted(cluster, mirrorPort, dir, dir, dir), "cluster.yaml");
    }

    private ClusterConfig config() throws Exception {
        return config("c");
    }

    private MirrorDisks open(ClusterConfig config) throws IOException {
        return MirrorDisks.open(config, config.node("a").orElseThrow(), dir.resolve("node-a"), (group, epoch) -> {
            throw new AssertionError("no grant in this test");
        });
    }

    @Test
    void aNewReplicaGetsAnImageAndMetadata() throws Exception {
        ClusterConfig config = config();
        try (MirrorDisks disks = open(config)) {
            assertEquals(16L << 20, Files.size(dir.resolve("a.img")));
            assertTrue(Files.exists(dir.resolve("a.meta")));
        }
        // Open again: the same replica, nothing recreated.
        try (MirrorDisks disks = open(config)) {
            assertTrue(Files.exists(dir.resolve("a.meta")));
        }
    }

    @Test
    void dataWithoutMetadataIsRefusedNotOverwritten() throws Exception {
        assumeTrue(onPath("mkfs.ext4") && onPath("blkid"), "needs mkfs.ext4 and blkid (e2fsprogs, util-linux)");
        Path image = dir.resolve("a.img");
        DataArea.createImage(image, 16L << 20);
        Process mkfs = new ProcessBuilder("mkfs.ext4", "-q", "-F", image.toString()).redirectErrorStream(true).start();
        mkfs.getInputStream().readAllBytes();
        assertTrue(mkfs.waitFor(30, TimeUnit.SECONDS) && mkfs.exitValue() == 0, "mkfs.ext4 failed");
        byte[] before = Files.readAllBytes(image);

        IOException e = assertThrows(IOException.class, () -> open(config()));
        assertTrue(e.getMessage().startsWith("mirror_disk 'md' of group 'web': data area " + image
                + " already holds data"), e.getMessage());
        assertTrue(e.getMessage().contains("wipefs -a " + image), e.getMessage());
        assertFalse(Files.exists(dir.resolve("a.meta")), "nothing is created for a refused replica");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(image)), "the data area is untouched");
    }

    @Test
    void metadataOfAnotherResourceIsRefused() throws Exception {
        try (MirrorDisks disks = open(config("c"))) {
            // creates the replica of c/web/md
        }
        IOException e = assertThrows(IOException.class, () -> open(config("d")));
        assertTrue(e.getMessage().contains("belongs to mirror resource 'c/web/md', not 'd/web/md'"), e.getMessage());
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }
}

package io.baton.node.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.ratis.RaftNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whose Raft log a data directory holds, checked before Ratis opens it. */
class DataDirectoryTest {
    @TempDir
    Path data;

    private Path groupDir(String cluster) {
        return data.resolve("raft").resolve(RaftNode.groupId(cluster).getUuid().toString());
    }

    @Test
    void aNewDirectoryIsCreatedAndRecordsItsOwner() throws Exception {
        Path raft = DataDirectory.claim(data.resolve("new"), "web-ha", "server1");
        assertEquals(data.resolve("new/raft"), raft);
        String owner = Files.readString(raft.resolve(DataDirectory.MEMBER_FILE));
        assertTrue(owner.contains("cluster=web-ha") && owner.contains("node=server1"), owner);
        DataDirectory.claim(data.resolve("new"), "web-ha", "server1");
    }

    @Test
    void aDirectoryFromBeforeTheOwnerFileIsAdoptedWhenItHoldsThisClustersGroup() throws Exception {
        Files.createDirectories(groupDir("web-ha").resolve("current"));
        Files.createDirectories(data.resolve("raft/not-a-group"));
        DataDirectory.claim(data, "web-ha", "server1");
        assertTrue(Files.exists(data.resolve("raft").resolve(DataDirectory.MEMBER_FILE)));
    }

    @Test
    void aDirectoryFromBeforeTheOwnerFileWithAnotherClustersGroupIsRefused() throws Exception {
        Files.createDirectories(groupDir("old-name").resolve("current"));
        StartFailure e = assertThrows(StartFailure.class, () -> DataDirectory.claim(data, "web-ha", "server1"));
        assertEquals("data directory " + data + " holds the Raft log of another cluster (Raft group "
                + RaftNode.groupId("old-name").getUuid() + "; cluster 'web-ha' is group "
                + RaftNode.groupId("web-ha").getUuid() + "; was cluster.name changed?): start with another"
                + " --data-dir, or remove " + groupDir("old-name") + " if that cluster's log is no longer needed",
                e.getMessage());
        assertTrue(Files.notExists(data.resolve("raft").resolve(DataDirectory.MEMBER_FILE)), "nothing is written");
    }

    @Test
    void anotherClusterOrNodeIsRefusedByTheOwnerFile() throws Exception {
        DataDirectory.claim(data, "web-ha", "server1");
        StartFailure renamed = assertThrows(StartFailure.class, () -> DataDirectory.claim(data, "shop", "server1"));
        assertTrue(renamed.getMessage().startsWith("data directory " + data + " holds the Raft log of node server1"
                + " of cluster 'web-ha', not of cluster 'shop' (was cluster.name changed?)"), renamed.getMessage());
        StartFailure otherNode = assertThrows(StartFailure.class, () -> DataDirectory.claim(data, "web-ha", "server2"));
        assertEquals("data directory " + data + " holds the Raft log of node server1 of cluster 'web-ha', not of"
                + " server2: give server2 its own --data-dir (a node must never run on another member's Raft log)",
                otherNode.getMessage());
    }

    @Test
    void aDirectoryThatCannotBeWrittenIsRefusedInOneLine() throws Exception {
        // The probe file's place taken by a non-empty directory: the write probe fails, as on a
        // read-only or full file system (which need root to set up; DataDirFailureIT does).
        Files.createDirectories(data.resolve("raft").resolve(DataDirCheck.PROBE_FILE).resolve("x"));
        StartFailure e = assertThrows(StartFailure.class, () -> DataDirectory.claim(data, "web-ha", "server1"));
        assertTrue(e.getMessage().startsWith("data directory " + data.resolve("raft").resolve(DataDirCheck.PROBE_FILE)),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(free space, or remount it read-write)"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }
}

package io.baton.node.daemon;

import io.baton.coordinator.ratis.RaftNode;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Makes sure that a node's data directory holds its own Raft log, before Ratis opens it.
 *
 * <p>Ratis keeps each Raft group's log in a directory named after the group's id under
 * {@code DATA/raft}, and the group id is derived from {@code cluster.name} (see
 * {@link RaftNode#groupId}). Ratis opens every group directory it finds there: after a rename of the
 * cluster it would open the old group too and fail with an illegal life-cycle transition. A node run
 * on another member's directory would vote with that member's term and log, which breaks Raft's
 * one-vote-per-term rule. So the directory records whose log it is ({@value #MEMBER_FILE}: cluster
 * and node), written on first use, and a directory that belongs to another cluster or node is
 * refused with one line that says what it holds and what to do. A directory from before the file
 * existed is recognised by its group directories alone.
 */
final class DataDirectory {
    /** In {@code DATA/raft}; Ratis ignores files there (it only opens directories). */
    static final String MEMBER_FILE = "baton-member.properties";

    private DataDirectory() {
    }

    /**
     * Checks that {@code dataDir} may hold {@code node}'s Raft log of {@code cluster}, creating it
     * and recording the owner on first use.
     *
     * @return the Raft storage directory, {@code dataDir/raft}
     */
    static Path claim(Path dataDir, String cluster, String node) throws StartFailure {
        Path raftDir = dataDir.resolve("raft");
        try {
            Files.createDirectories(raftDir);
        } catch (AccessDeniedException e) {
            throw new StartFailure("cannot create data directory " + raftDir + ": permission denied");
        } catch (IOException e) {
            throw new StartFailure("cannot create data directory " + raftDir + ": " + e.getMessage());
        }
        // A full or read-only disk would only show once Ratis writes, as a crash (issue 9): refuse it now.
        var unwritable = DataDirCheck.probe(raftDir);
        if (unwritable.isPresent()) {
            throw new StartFailure(unwritable.get().line() + ": the node needs to write its Raft log there"
                    + " (free space, or remount it read-write)");
        }
        Properties owner = readOwner(raftDir);
        if (owner != null) {
            String theirCluster = owner.getProperty("cluster", "");
            String theirNode = owner.getProperty("node", "");
            if (!theirCluster.equals(cluster)) {
                throw new StartFailure("data directory " + dataDir + " holds the Raft log of node " + theirNode
                        + " of cluster '" + theirCluster + "', not of cluster '" + cluster + "' (was cluster.name"
                        + " changed?): start with another --data-dir, or remove " + raftDir
                        + " if that cluster's log is no longer needed");
            }
            if (!theirNode.equals(node)) {
                throw new StartFailure("data directory " + dataDir + " holds the Raft log of node " + theirNode
                        + " of cluster '" + cluster + "', not of " + node + ": give " + node + " its own --data-dir"
                        + " (a node must never run on another member's Raft log)");
            }
        }
        UUID ours = RaftNode.groupId(cluster).getUuid();
        List<UUID> others = groupDirectories(raftDir).stream().filter(g -> !g.equals(ours)).toList();
        if (!others.isEmpty()) {
            throw new StartFailure("data directory " + dataDir + " holds the Raft log of another cluster (Raft group "
                    + others.get(0) + "; cluster '" + cluster + "' is group " + ours + "; was cluster.name changed?):"
                    + " start with another --data-dir, or remove " + raftDir.resolve(others.get(0).toString())
                    + " if that cluster's log is no longer needed");
        }
        if (owner == null) {
            writeOwner(raftDir, cluster, node);
        }
        return raftDir;
    }

    private static Properties readOwner(Path raftDir) throws StartFailure {
        Path file = raftDir.resolve(MEMBER_FILE);
        if (!Files.exists(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new StartFailure("cannot read " + file + ": " + e.getMessage()
                    + " (it records which cluster and node the Raft log belongs to)");
        }
        return p;
    }

    private static void writeOwner(Path raftDir, String cluster, String node) throws StartFailure {
        Path file = raftDir.resolve(MEMBER_FILE);
        Path tmp = raftDir.resolve(MEMBER_FILE + ".tmp");
        Properties p = new Properties();
        p.setProperty("cluster", cluster);
        p.setProperty("node", node);
        try {
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(out, "The Raft log in this directory belongs to this Baton node; do not copy it to another");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StartFailure("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** The Raft group ids Ratis would open: the subdirectories whose names are UUIDs. */
    private static List<UUID> groupDirectories(Path raftDir) throws StartFailure {
        List<UUID> groups = new ArrayList<>();
        try (Stream<Path> entries = Files.list(raftDir)) {
            for (Path entry : entries.filter(Files::isDirectory).toList()) {
                try {
                    groups.add(UUID.fromString(entry.getFileName().toString()));
                } catch (IllegalArgumentException notAGroup) {
                    // Ratis ignores it too.
                }
            }
        } catch (IOException e) {
            throw new StartFailure("cannot list " + raftDir + ": " + e.getMessage());
        }
        groups.sort(null);
        return groups;
    }
}

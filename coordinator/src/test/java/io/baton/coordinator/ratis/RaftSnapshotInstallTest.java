package io.baton.coordinator.ratis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.ratis.InProcessCluster.Applied;
import io.baton.proto.CommandResult;
import io.baton.proto.ResultCode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower that was down while the others purged the log entries it lacks can only catch up by
 * installing the leader's snapshot (RaftNode purges the log up to each snapshot). Ratis pauses the
 * state machine for that and requires it to report the PAUSED life-cycle state before it reloads it.
 */
class RaftSnapshotInstallTest {
    /** Ratis purges the log only when the snapshot index is at least this far past the last purge. */
    private static final long RATIS_PURGE_GAP = 1024;

    @TempDir
    Path dir;
    private InProcessCluster cluster;

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void followerBehindThePurgedLogCatchesUpFromTheLeadersSnapshot() throws Exception {
        cluster = InProcessCluster.start(dir, 400);
        cluster.awaitReadyLeader();
        cluster.stop("server2");

        // An entry that server2 lacks, in a log segment that closes at the next term.
        long seq = 1;
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", InProcessCluster.heartbeat("server1", seq++)).getCode());
        // A new term (the witness restarts): the segment holding that entry is closed and can be purged.
        cluster.stop("witness");
        cluster.start("witness");
        cluster.awaitReadyLeader();

        // Enough entries that a snapshot passes Ratis's purge gap on both running members.
        while (latestSnapshotIndex("server1") <= RATIS_PURGE_GAP + 50 || latestSnapshotIndex("witness") <= RATIS_PURGE_GAP + 50) {
            List<CompletableFuture<CommandResult>> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                batch.add(cluster.member("server1").raft().submit(InProcessCluster.heartbeat("server1", seq++),
                        Duration.ofSeconds(10)));
            }
            for (CompletableFuture<CommandResult> f : batch) {
                assertEquals(ResultCode.RESULT_OK, f.join().getCode());
            }
        }
        Applied before = cluster.awaitConverged();

        cluster.start("server2");
        Applied after = cluster.awaitConverged();
        assertEquals(before.state(), after.state());
        assertTrue(latestSnapshotIndex("server2") > RATIS_PURGE_GAP, "server2 installed the leader's snapshot");
        // And it keeps applying.
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server2", InProcessCluster.heartbeat("server2", 1)).getCode());
        cluster.awaitConverged();
    }

    /**
     * RATIS-1707, as the seeded nemesis met it after a whole-cluster restart: every member closes its
     * log segment at the same index, server2 stays down, and the others purge that segment after a
     * snapshot. server2's next entry is then the first one the leader's log holds, the entry before it
     * is gone and the snapshot is later: Ratis's appender tried an append without the previous term,
     * died ("Previous TermIndex not found") and was never restarted, so server2 stayed frozen.
     */
    @Test
    void followerStoppedAtASegmentEndThatWasPurgedCatchesUpFromTheSnapshot() throws Exception {
        cluster = InProcessCluster.start(dir, 400);
        cluster.awaitReadyLeader();
        long seq = 1;
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", InProcessCluster.heartbeat("server1", seq++)).getCode());
        Applied stopped = cluster.awaitConverged();

        // The whole cluster stops; server2 stays down, the others start in a new term and a new segment.
        cluster.stopAll();
        cluster.start("server1");
        cluster.start("witness");
        cluster.awaitReadyLeader();
        while (latestSnapshotIndex("server1") <= RATIS_PURGE_GAP + 50 || latestSnapshotIndex("witness") <= RATIS_PURGE_GAP + 50) {
            submitBatch(seq);
            seq += 100;
        }
        Applied before = cluster.awaitConverged();
        assertTrue(before.index() > stopped.index() + RATIS_PURGE_GAP);
        for (String id : List.of("server1", "witness")) {
            assertTrue(firstLogIndex(id) == stopped.index() + 1,
                    id + "'s log starts right after the index where server2 stopped: " + firstLogIndex(id));
        }

        cluster.start("server2");
        Applied after = await("server2 catches up").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(cluster::converged, java.util.Optional::isPresent).orElseThrow();
        assertEquals(before.state(), after.state());
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server2", InProcessCluster.heartbeat("server2", 1)).getCode());
        cluster.awaitConverged();
    }

    private void submitBatch(long firstSeq) {
        List<CompletableFuture<CommandResult>> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(cluster.member("server1").raft().submit(InProcessCluster.heartbeat("server1", firstSeq + i),
                    Duration.ofSeconds(10)));
        }
        for (CompletableFuture<CommandResult> f : batch) {
            assertEquals(ResultCode.RESULT_OK, f.join().getCode());
        }
    }

    /** The first index in a member's Raft log files ({@code log_<first>-<last>}, {@code log_inprogress_<first>}). */
    private long firstLogIndex(String id) throws IOException {
        Path current = dir.resolve(id).resolve(RaftNode.groupId(InProcessCluster.CLUSTER).getUuid().toString())
                .resolve("current");
        try (var files = java.nio.file.Files.list(current)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("log_"))
                    .mapToLong(n -> Long.parseLong(n.replace("log_inprogress_", "").replace("log_", "").split("-")[0]))
                    .min().orElse(-1);
        }
    }

    private long latestSnapshotIndex(String id) throws IOException {
        return cluster.snapshotFiles(id).stream()
                .mapToLong(p -> SimpleStateMachineStorage.getTermIndexFromSnapshotFile(p.toFile()).getIndex())
                .max().orElse(-1);
    }
}

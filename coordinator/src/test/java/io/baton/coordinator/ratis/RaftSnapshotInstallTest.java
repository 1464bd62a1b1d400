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

    private long latestSnapshotIndex(String id) throws IOException {
        return cluster.snapshotFiles(id).stream()
                .mapToLong(p -> SimpleStateMachineStorage.getTermIndexFromSnapshotFile(p.toFile()).getIndex())
                .max().orElse(-1);
    }
}

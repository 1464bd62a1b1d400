package io.baton.coordinator.ratis;

import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis's gRPC log appender, which also sends the snapshot when the follower's next entry is the
 * first one the leader's log still holds and the entry before it was purged ({@link SnapshotCatchUp}):
 * Ratis would try an append without the previous term and its appender would die.
 */
final class CatchUpLogAppender extends GrpcLogAppender {
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpLogAppender.class);

    CatchUpLogAppender(RaftServer.Division server, LeaderState leaderState, FollowerInfo follower) {
        super(server, leaderState, follower);
    }

    @Override
    public SnapshotInfo shouldInstallSnapshot() {
        SnapshotInfo ratisChoice = super.shouldInstallSnapshot();
        if (ratisChoice != null) {
            return ratisChoice;
        }
        SnapshotInfo snapshot = getServer().getStateMachine().getLatestSnapshot();
        long next = getFollower().getNextIndex();
        boolean previousInLog = next <= 0 || getRaftLog().getTermIndex(next - 1) != null;
        long snapshotIndex = snapshot == null ? -1 : snapshot.getIndex();
        if (SnapshotCatchUp.decide(next, getRaftLog().getNextIndex(), previousInLog, snapshotIndex)
                == SnapshotCatchUp.Send.SNAPSHOT) {
            LOG.info("{}: entry {} before the follower's next index {} was purged; sending snapshot {}",
                    getFollower().getName(), next - 1, next, snapshotIndex);
            return snapshot;
        }
        return null;
    }
}

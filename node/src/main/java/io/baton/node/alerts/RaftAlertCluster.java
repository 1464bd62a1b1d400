package io.baton.node.alerts;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.ratis.RaftNode;
import io.baton.proto.AlertsDelivered;
import io.baton.proto.Command;
import io.baton.proto.Event;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dispatcher's view of this node's Raft server and replicated state. */
public final class RaftAlertCluster implements AlertDispatcher.Cluster {
    private static final Logger log = LoggerFactory.getLogger(RaftAlertCluster.class);
    private final RaftNode raft;
    private final LongSupplier wallClockMs;

    public RaftAlertCluster(RaftNode raft, LongSupplier wallClockMs) {
        this.raft = raft;
        this.wallClockMs = wallClockMs;
    }

    @Override
    public long leaderTerm() {
        return raft.isLeaderReady() ? raft.currentTerm() : -1;
    }

    @Override
    public long deliveredThrough() {
        // A ready leader has applied everything committed before its term: its replica is current.
        return raft.stateMachine().read(ClusterState::alertsDeliveredSeq);
    }

    @Override
    public List<Event> eventsAfter(long seq, int max) {
        return raft.stateMachine().read(s -> s.events().stream().filter(e -> e.getSeq() > seq).limit(max).toList());
    }

    @Override
    public void commitDelivered(long seq) {
        Command c = Command.newBuilder().setWallTimeMs(wallClockMs.getAsLong())
                .setAlertsDelivered(AlertsDelivered.newBuilder().setThroughSeq(seq)).build();
        raft.submit(c, Duration.ofSeconds(5)).whenComplete((result, error) -> {
            if (error != null) {
                log.debug("alert cursor {} not committed: {}", seq, error.toString());
            }
        });
    }
}

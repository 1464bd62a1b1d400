package io.baton.node.daemon;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.core.NodeState;
import io.baton.coordinator.core.Phase;
import io.baton.coordinator.core.ReplicaRules;
import io.baton.coordinator.core.Topology;
import io.baton.coordinator.ratis.RaftNode;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.MoveGroup;
import io.baton.proto.ResultCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A clean stop (SIGTERM, systemctl stop) of a node that owns groups first moves each of them to
 * another eligible member, as {@code batonctl move} would: the group is down for a move (a few
 * hundred milliseconds) instead of the lease plus the takeover margin. Where no member is eligible
 * (down, or its mirror replica not UpToDate), or the move cannot commit (no quorum), the group just
 * stops here and the usual rules apply.
 */
final class HandOver {
    private static final Logger log = LoggerFactory.getLogger(HandOver.class);

    private HandOver() {}

    /**
     * Proposes the moves and waits, at most {@code within}, until this node owns none of them. Runs
     * while the agent still runs: it is the agent that deactivates and reports the release.
     */
    static void run(String self, Topology fileTopology, RaftNode raft, Duration within) {
        ClusterState state = raft.stateMachine().copyState();
        // The members as the cluster runs them: a node added by 'batonctl node replace' is a target too.
        Topology topology = state.topology(fileTopology);
        List<String> moving = new ArrayList<>();
        for (Topology.GroupSpec spec : topology.groups()) {
            GroupState g = state.group(spec.name()).orElse(null);
            if (g == null || !self.equals(g.owner()) || (g.phase() != Phase.ONLINE && g.phase() != Phase.STARTING)) {
                continue;
            }
            Optional<String> target = target(self, topology, spec, g, state);
            if (target.isEmpty()) {
                log.warn("{}: no other member can take it over now (down, or its replica not UpToDate);"
                        + " it stops here", spec.name());
                continue;
            }
            Command move = Command.newBuilder().setWallTimeMs(System.currentTimeMillis())
                    .setMove(MoveGroup.newBuilder().setGroup(spec.name()).setTo(target.get())).build();
            try {
                CommandResult result = raft.submit(move, Duration.ofSeconds(2)).get(3, TimeUnit.SECONDS);
                if (result.getCode() == ResultCode.RESULT_OK) {
                    log.info("{}: handing over to {} before stopping", spec.name(), target.get());
                    moving.add(spec.name());
                } else {
                    log.warn("{}: hand-over to {} refused: {}", spec.name(), target.get(), result.getMessage());
                }
            } catch (Exception e) {
                log.warn("{}: hand-over to {} not committed ({}); it stops here", spec.name(), target.get(),
                        e.getMessage());
            }
        }
        long deadline = System.nanoTime() + within.toNanos();
        while (!moving.isEmpty() && System.nanoTime() < deadline) {
            ClusterState now = raft.stateMachine().copyState();
            moving.removeIf(name -> now.group(name).map(g -> !self.equals(g.owner())).orElse(true));
            if (!moving.isEmpty()) {
                try {
                    Thread.sleep(20); // polling the local replica; bounded by the deadline above
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (!moving.isEmpty()) {
            log.warn("hand-over of {} not finished within {} ms; stopping anyway", moving, within.toMillis());
        }
    }

    /**
     * The most preferred other member that is alive, not in standby (the core refuses a move there) and, for a
     * mirrored group, UpToDate.
     */
    private static Optional<String> target(String self, Topology topology, Topology.GroupSpec spec, GroupState g,
                                           ClusterState state) {
        for (String member : spec.members()) {
            if (member.equals(self)) {
                continue;
            }
            boolean available = state.node(member).map(n -> n.alive() && !n.standby()).orElse(false);
            if (available && ReplicaRules.grantable(topology, g, member)) {
                return Optional.of(member);
            }
        }
        return Optional.empty();
    }
}

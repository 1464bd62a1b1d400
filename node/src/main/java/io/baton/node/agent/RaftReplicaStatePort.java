package io.baton.node.agent;

import io.baton.coordinator.core.Replica;
import io.baton.proto.Command;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.ReplicaUpdate;
import io.baton.proto.ResultCode;
import io.baton.resources.mirror.engine.ReplicaStatePort;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;

/**
 * How a mirror disk's primary records its peers' replica states in committed state: each record is
 * a {@code ReplicaUpdate} committed through Raft under the grant epoch the primary runs under. The
 * core accepts it only while this node owns the group at that epoch, so a deposed primary's records
 * fail instead of rewriting what its successor relies on. One instance per activation (per epoch).
 */
public final class RaftReplicaStatePort implements ReplicaStatePort {
    private final String group;
    private final String self;
    private final long epoch;
    private final CommandSubmitter raft;
    private final LocalState replica;
    private final Duration timeout;
    private final LongSupplier wallClockMs;

    /**
     * @param group       the mirrored group
     * @param self        this node's id (the primary, the group's owner)
     * @param epoch       the grant epoch the primary runs under ({@code ResourceContext.epoch()})
     * @param raft        commits commands ({@code RaftNode::submit} in the daemon)
     * @param replica     this node's replica of the committed state ({@code BatonStateMachine::read})
     * @param timeout     how long one record may take to commit before its future fails
     * @param wallClockMs the proposer's wall clock, for event display only
     */
    public RaftReplicaStatePort(String group, String self, long epoch, CommandSubmitter raft, LocalState replica,
                                Duration timeout, LongSupplier wallClockMs) {
        this.group = Objects.requireNonNull(group, "group");
        this.self = Objects.requireNonNull(self, "self");
        this.epoch = epoch;
        this.raft = Objects.requireNonNull(raft, "raft");
        this.replica = Objects.requireNonNull(replica, "replica");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.wallClockMs = Objects.requireNonNull(wallClockMs, "wallClockMs");
    }

    /**
     * The state this node has applied. No recorded state (a member added after the disk was created,
     * or a group this replica does not know) reads as INCONSISTENT: nothing may be assumed of its data.
     */
    @Override
    public ReplicaState committed(String node) {
        Replica r = replica.read(s -> s.group(group).map(g -> g.replica(node)).orElse(null));
        if (r == null) {
            return ReplicaState.INCONSISTENT;
        }
        return switch (r) {
            case UP_TO_DATE -> ReplicaState.UP_TO_DATE;
            case OUTDATED -> ReplicaState.OUTDATED;
            case INCONSISTENT -> ReplicaState.INCONSISTENT;
        };
    }

    /**
     * Completes once committed and accepted; fails with a {@link ReplicaStateException} naming the
     * reason if the core refused it (no longer the owner at this epoch, ...) or it did not commit in time.
     */
    @Override
    public CompletableFuture<Void> record(String node, ReplicaState state) {
        Command command = Command.newBuilder().setWallTimeMs(wallClockMs.getAsLong())
                .setReplicaUpdate(ReplicaUpdate.newBuilder().setGroup(group).setNode(node).setState(toProto(state))
                        .setProposer(self).setEpoch(epoch)).build();
        String what = node + "'s replica of " + group + " as " + state + " (epoch " + epoch + ")";
        CompletableFuture<Void> done = new CompletableFuture<>();
        raft.submit(command, timeout).whenComplete((result, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                done.completeExceptionally(new ReplicaStateException("could not record " + what + ": not committed"
                        + " within " + timeout.toMillis() + " ms (no quorum?): " + cause, cause));
            } else if (result.getCode() != ResultCode.RESULT_OK) {
                done.completeExceptionally(new ReplicaStateException("could not record " + what + ": refused ("
                        + result.getCode() + "): " + result.getMessage(), null));
            } else {
                done.complete(null);
            }
        });
        return done;
    }

    private static ReplicaStateProto toProto(ReplicaState state) {
        return switch (Objects.requireNonNull(state, "state")) {
            case UP_TO_DATE -> ReplicaStateProto.REPLICA_UP_TO_DATE;
            case OUTDATED -> ReplicaStateProto.REPLICA_OUTDATED;
            case INCONSISTENT -> ReplicaStateProto.REPLICA_INCONSISTENT;
        };
    }

    /** A replica state that was not recorded: refused by the core, or not committed in time. */
    public static final class ReplicaStateException extends RuntimeException {
        ReplicaStateException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

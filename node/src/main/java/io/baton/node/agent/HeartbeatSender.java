package io.baton.node.agent;

import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Commits the agent's heartbeats, and the Incarnate that comes before them, or confirms a heartbeat
 * that reports nothing new by a read. In the daemon it is {@code RaftNode}'s {@code submitHeartbeat}
 * and {@code confirmHeartbeat}; tests apply them to a state of their own.
 */
@FunctionalInterface
public interface HeartbeatSender {
    /**
     * Proposes {@code heartbeat} (or the process's Incarnate); completes with its result once a leader
     * with a quorum has committed and applied it, or fails (with a {@link java.util.concurrent.CompletionException}) if that does
     * not happen within {@code timeout}.
     */
    CompletableFuture<CommandResult> send(Command heartbeat, Duration timeout);

    /**
     * Sends a heartbeat that reports nothing new since the last committed one as a read
     * ({@code RaftNode::confirmHeartbeat}): completes with what a committed heartbeat would have answered,
     * or {@code RESULT_WRITE_NEEDED} when it must be sent with {@link #send} after all. This default
     * commits it.
     */
    default CompletableFuture<CommandResult> confirm(Command heartbeat, Duration timeout) {
        return send(heartbeat, timeout);
    }

    /** A sender that commits with {@code writes} and sends reads with {@code reads}. */
    static HeartbeatSender withReads(HeartbeatSender writes, HeartbeatSender reads) {
        return new HeartbeatSender() {
            @Override
            public CompletableFuture<CommandResult> send(Command heartbeat, Duration timeout) {
                return writes.send(heartbeat, timeout);
            }

            @Override
            public CompletableFuture<CommandResult> confirm(Command heartbeat, Duration timeout) {
                return reads.send(heartbeat, timeout);
            }
        };
    }
}

package io.baton.node.agent;

import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Commits the agent's heartbeats, and the Incarnate that comes before them. In the daemon it is
 * {@code RaftNode::submitHeartbeat}; tests apply them to a state of their own.
 */
@FunctionalInterface
public interface HeartbeatSender {
    /**
     * Proposes {@code heartbeat} (or the process's Incarnate); completes with its result once a leader
     * with a quorum has committed and applied it, or fails (with a {@link java.util.concurrent.CompletionException}) if that does
     * not happen within {@code timeout}.
     */
    CompletableFuture<CommandResult> send(Command heartbeat, Duration timeout);
}

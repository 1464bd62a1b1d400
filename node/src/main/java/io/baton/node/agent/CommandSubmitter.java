package io.baton.node.agent;

import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Commits a command through Raft. In the daemon it is {@code RaftNode::submit} (the node's general
 * client, not the heartbeat one); tests apply commands to a state of their own.
 */
@FunctionalInterface
public interface CommandSubmitter {
    /**
     * Completes with the command's result once a leader with a quorum has committed and applied it,
     * or fails (with a {@link java.util.concurrent.CompletionException}) if that does not happen
     * within {@code timeout}.
     */
    CompletableFuture<CommandResult> submit(Command command, Duration timeout);
}

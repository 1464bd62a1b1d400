package io.baton.coordinator.ratis;

import io.baton.proto.Command;
import io.baton.proto.CommandResult;

/**
 * Told of every applied command and of leadership changes, on Ratis threads: implementations must
 * return quickly and hand any real work to their own thread. An exception thrown here is caught
 * and logged by {@link BatonStateMachine}; it never reaches Ratis. The daemon closes Raft before
 * anything a listener needs; a listener that is closed earlier (the agent, the controller) is still
 * told of entries until then and must take that calmly.
 */
public interface StateListener {
    default void applied(Command command, CommandResult result, long logIndex) {}

    /** This server became leader and has applied everything before its term. */
    default void leaderReady() {}

    /** This server is no longer leader (stepped down or closing). */
    default void notLeader() {}

    /** The leader known to this server changed (empty string: none). */
    default void leaderChanged(String leaderId) {}
}

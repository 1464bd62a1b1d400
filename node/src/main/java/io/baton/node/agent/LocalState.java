package io.baton.node.agent;

import io.baton.coordinator.core.ClusterState;
import java.util.function.Function;

/**
 * This node's replica of the replicated state, as the agent reads it. In the daemon it is the Ratis
 * state machine ({@code BatonStateMachine::read}); tests apply commands to a state of their own.
 */
@FunctionalInterface
public interface LocalState {
    /** Runs {@code reader} on the state last applied here, under the apply lock; it must not keep the state. */
    <T> T read(Function<ClusterState, T> reader);
}

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

    /**
     * The log index last applied here, sent with each heartbeat so that the others can tell when this
     * replica stops advancing while its heartbeats still commit (ReplicaLag); 0 if not known.
     */
    default long appliedIndex() {
        return 0;
    }

    /** The daemon's replica: the Ratis state machine. */
    static LocalState of(io.baton.coordinator.ratis.BatonStateMachine sm) {
        return new LocalState() {
            @Override
            public <T> T read(Function<ClusterState, T> reader) {
                return sm.read(reader);
            }

            @Override
            public long appliedIndex() {
                var applied = sm.getLastAppliedTermIndex();
                return applied == null ? 0 : Math.max(0, applied.getIndex());
            }
        };
    }
}

package io.baton.coordinator.agent;

/** What a resource's driver says it is now (the agent's view of {@code ResourceState.Status}). */
public enum Observed {
    /** Not serving: safe for another node to take over. */
    INACTIVE,
    /** Serving. */
    ACTIVE,
    /** The last start or stop failed: possibly up until a stop succeeds. */
    FAILED;

    /** Whether it may be up in any way. */
    public boolean mayBeUp() {
        return this != INACTIVE;
    }
}

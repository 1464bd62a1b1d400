package io.baton.coordinator.agent;

/** The one thing the agent's plan asks for next, for one group. */
public sealed interface Step {

    /** Start resource {@code index} for the grant at {@code epoch}. */
    record Start(int index, long epoch) implements Step {}

    /** Stop resource {@code index}. */
    record Stop(int index) implements Step {}

    /**
     * Nothing to do now; ask again by {@code wakeAtNanos} at the latest (Long.MAX_VALUE: only when
     * something changes). A change of grant, lease, observation or check result also asks again.
     */
    record Idle(long wakeAtNanos) implements Step {}
}

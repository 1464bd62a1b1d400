package io.baton.coordinator.core;

/**
 * Whether a node's own replica keeps up with the log, judged from its heartbeats: each carries the
 * index its sender had applied when it sent it, and commits at an index of its own. A node whose
 * replica is frozen (the leader's log appender for it died, RATIS-1707) still gets its heartbeats
 * committed through the others and looks up, but never sees what is committed after (a grant to it
 * among them). A node more than {@link #BEHIND_ENTRIES} entries behind in
 * {@link #HEARTBEATS_IN_A_ROW} heartbeats in a row is behind; one heartbeat within the bound and it
 * has caught up. Pure: the same heartbeats give the same answer on every replica.
 */
public final class ReplicaLag {
    /** More than this many entries between a heartbeat's applied index and its own index is lagging. */
    public static final long BEHIND_ENTRIES = 50;
    /** So many lagging heartbeats in a row make a node behind (one lagging heartbeat is a busy moment). */
    public static final int HEARTBEATS_IN_A_ROW = 4;

    private ReplicaLag() {
    }

    /** A node's record: lagging heartbeats in a row, whether it is behind, and the last lag seen. */
    public record State(int laggingInARow, boolean behind, long lag) {
        public static final State NONE = new State(0, false, 0);
    }

    /** What a heartbeat changed. */
    public enum Change { NONE, BEHIND, CAUGHT_UP }

    public record Observed(State state, Change change) {}

    /**
     * @param appliedIndex the index the sender had applied when it sent the heartbeat; 0 or less: not
     *                     reported (a node of an older version), which changes nothing
     * @param heartbeatIndex the log index the heartbeat itself committed at
     */
    public static Observed observe(State before, long appliedIndex, long heartbeatIndex) {
        if (appliedIndex <= 0) {
            return new Observed(before, Change.NONE);
        }
        long lag = Math.max(0, heartbeatIndex - appliedIndex);
        if (lag <= BEHIND_ENTRIES) {
            return new Observed(new State(0, false, lag), before.behind() ? Change.CAUGHT_UP : Change.NONE);
        }
        int inARow = before.laggingInARow() + 1;
        boolean behind = before.behind() || inARow >= HEARTBEATS_IN_A_ROW;
        return new Observed(new State(inARow, behind, lag), behind && !before.behind() ? Change.BEHIND : Change.NONE);
    }
}

package io.baton.coordinator.ratis;

/**
 * Whether a leader must send a follower its snapshot rather than log entries: a pure function of
 * the follower's next index and what the leader still holds.
 *
 * <p>Ratis installs a snapshot only when the follower's next index is <em>below</em> the start of
 * the leader's log. It misses the case where the next index <em>is</em> the log's first entry
 * while the entry before it was purged and is not the snapshot's last entry either (the snapshot
 * is later): an append needs the previous entry's term, the leader has none, and Ratis's appender
 * dies with "Previous TermIndex not found" and is not restarted (RATIS-1707). The follower is then
 * frozen for good. A whole-cluster restart makes this likely: every member closes its log segment
 * at the same index, so a follower that stays down stops exactly at a segment's end, which the
 * others later purge after a snapshot.
 */
public final class SnapshotCatchUp {
    private SnapshotCatchUp() {
    }

    /** What the leader sends the follower next. */
    public enum Send { LOG_ENTRIES, SNAPSHOT }

    /**
     * @param followerNextIndex the next index the leader believes the follower needs
     * @param leaderNextIndex the index the leader's log would give its next entry
     * @param previousInLog whether the leader's log still holds entry {@code followerNextIndex - 1}
     * @param snapshotIndex the last index in the leader's latest snapshot, or -1 if it has none
     */
    public static Send decide(long followerNextIndex, long leaderNextIndex, boolean previousInLog, long snapshotIndex) {
        if (followerNextIndex >= leaderNextIndex || followerNextIndex <= 0 || previousInLog || snapshotIndex < 0) {
            // Nothing to send, the very first entry (no previous needed), or an append can be built.
            return Send.LOG_ENTRIES;
        }
        if (snapshotIndex == followerNextIndex - 1) {
            // The snapshot ends just before: its term is the previous term, an append is consistent.
            return Send.LOG_ENTRIES;
        }
        // The previous entry is gone; a snapshot that covers it replaces what the follower lacks.
        return snapshotIndex >= followerNextIndex ? Send.SNAPSHOT : Send.LOG_ENTRIES;
    }
}

package io.baton.resources.mirror.engine;

import java.util.concurrent.CompletableFuture;

/**
 * How the primary of a mirror disk records its peers' replica states in committed (Raft) state.
 * Each future completes once the change is committed and fails if it was refused (for example
 * because this node no longer owns the group at the epoch it writes under) or cannot commit.
 */
public interface ReplicaStatePort {

    /** The committed state of a replica, as the coordinator keeps it. */
    enum ReplicaState { UP_TO_DATE, OUTDATED, INCONSISTENT }

    /**
     * The committed state of {@code node}'s replica as this node has applied it: it may lag behind a
     * {@link #record} whose future has already completed.
     */
    ReplicaState committed(String node);

    /** Commits {@code state} for {@code node}'s replica under this primary's grant epoch. */
    CompletableFuture<Void> record(String node, ReplicaState state);
}

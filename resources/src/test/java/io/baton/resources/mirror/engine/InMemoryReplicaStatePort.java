package io.baton.resources.mirror.engine;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Committed replica states in memory; can be told to fail every commit, as without quorum. */
final class InMemoryReplicaStatePort implements ReplicaStatePort {

    final Map<String, ReplicaState> states = new ConcurrentHashMap<>();
    /** Every committed change, in order, as "node=STATE". */
    final List<String> commits = new CopyOnWriteArrayList<>();
    final AtomicInteger failedAttempts = new AtomicInteger();
    volatile boolean noQuorum;
    /**
     * Like a node whose Raft replica applies a commit after the leader acknowledged it: records
     * complete, but {@link #committed} keeps answering the old states until {@link #applyLagging}.
     */
    volatile boolean applyLags;
    final Map<String, ReplicaState> lagging = new ConcurrentHashMap<>();

    InMemoryReplicaStatePort(String node, ReplicaState initial) {
        states.put(node, initial);
    }

    @Override
    public ReplicaState committed(String node) {
        return states.getOrDefault(node, ReplicaState.INCONSISTENT);
    }

    @Override
    public CompletableFuture<Void> record(String node, ReplicaState state) {
        if (noQuorum) {
            failedAttempts.incrementAndGet();
            return CompletableFuture.failedFuture(new IOException("no quorum"));
        }
        (applyLags ? lagging : states).put(node, state);
        commits.add(node + "=" + state);
        return CompletableFuture.completedFuture(null);
    }

    void applyLagging() {
        states.putAll(lagging);
        lagging.clear();
    }
}

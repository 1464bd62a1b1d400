package io.baton.node.admin;

import io.baton.proto.admin.ClusterStatus;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The status answer, shared by every caller: fetched (one query to the leader) at most once per
 * {@code maxAgeNanos}, a heartbeat interval in the daemon, so a caller sees a snapshot at most that
 * old, and callers that arrive while a fetch is under way wait for that same fetch. Without it each
 * Status call was one leader query on a thread of its own: 5,000 concurrent calls grew the leader
 * to 2,030 threads, and it lost its leadership (issue 9, finding 2).
 *
 * <p>The lock is held only to read or swap two fields; it is not shared with anything else.
 */
public final class StatusCache {
    /** What a caller gets, decided from the time, the last fetch and whether one is running. */
    enum Action { SERVE_CACHED, JOIN_FETCH, FETCH }

    /**
     * @param startedNanos when the cached answer's fetch started (its age counts from then), or
     *                     null when there is none yet
     */
    static Action decide(long nowNanos, Long startedNanos, boolean fetching, long maxAgeNanos) {
        if (startedNanos != null && nowNanos - startedNanos <= maxAgeNanos) {
            return Action.SERVE_CACHED;
        }
        return fetching ? Action.JOIN_FETCH : Action.FETCH;
    }

    private final Supplier<CompletableFuture<ClusterStatus>> fetch;
    private final long maxAgeNanos;
    private final LongSupplier nanoTime;
    private final Object lock = new Object();
    private CompletableFuture<ClusterStatus> cached;
    private Long cachedStartedNanos;
    private CompletableFuture<ClusterStatus> fetching;

    public StatusCache(Supplier<CompletableFuture<ClusterStatus>> fetch, long maxAgeNanos, LongSupplier nanoTime) {
        this.fetch = fetch;
        this.maxAgeNanos = maxAgeNanos;
        this.nanoTime = nanoTime;
    }

    /** The status, at most {@code maxAgeNanos} old when it was fetched. Never blocks. */
    public CompletableFuture<ClusterStatus> get() {
        long started;
        CompletableFuture<ClusterStatus> mine;
        synchronized (lock) {
            long now = nanoTime.getAsLong();
            switch (decide(now, cachedStartedNanos, fetching != null, maxAgeNanos)) {
                case SERVE_CACHED:
                    return cached;
                case JOIN_FETCH:
                    return fetching;
                default:
                    break;
            }
            started = now;
            mine = new CompletableFuture<>();
            fetching = mine;
        }
        CompletableFuture<ClusterStatus> result;
        try {
            result = fetch.get();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((status, error) -> {
            synchronized (lock) {
                if (error == null) {
                    cached = CompletableFuture.completedFuture(status);
                    cachedStartedNanos = started;
                }
                fetching = null;
            }
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(status);
            }
        });
        return mine;
    }
}

package io.baton.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.admin.ClusterStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StatusCacheTest {
    @Test
    void decidesFromTheAgeOfTheLastFetchAndWhetherOneIsRunning() {
        assertEquals(StatusCache.Action.FETCH, StatusCache.decide(0, null, false, 100));
        assertEquals(StatusCache.Action.JOIN_FETCH, StatusCache.decide(0, null, true, 100));
        assertEquals(StatusCache.Action.SERVE_CACHED, StatusCache.decide(150, 50L, false, 100));
        assertEquals(StatusCache.Action.SERVE_CACHED, StatusCache.decide(150, 50L, true, 100));
        assertEquals(StatusCache.Action.FETCH, StatusCache.decide(151, 50L, false, 100));
        assertEquals(StatusCache.Action.JOIN_FETCH, StatusCache.decide(151, 50L, true, 100));
    }

    @Test
    void callersShareOneFetchPerPeriod() {
        long[] now = {0};
        List<CompletableFuture<ClusterStatus>> fetches = new ArrayList<>();
        StatusCache cache = new StatusCache(() -> {
            CompletableFuture<ClusterStatus> f = new CompletableFuture<>();
            fetches.add(f);
            return f;
        }, 100, () -> now[0]);

        List<CompletableFuture<ClusterStatus>> waiting = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            waiting.add(cache.get());
        }
        assertEquals(1, fetches.size(), "a thousand callers, one leader query");
        ClusterStatus first = ClusterStatus.newBuilder().setCluster("one").build();
        now[0] = 30;
        fetches.get(0).complete(first);
        waiting.forEach(w -> assertSame(first, w.join()));

        now[0] = 100;
        assertSame(first, cache.get().join(), "at most one period old, counted from the fetch's start");
        now[0] = 101;
        CompletableFuture<ClusterStatus> next = cache.get();
        assertEquals(2, fetches.size());
        assertTrue(!next.isDone());
        fetches.get(1).completeExceptionally(new RuntimeException("no leader"));
        assertTrue(next.isCompletedExceptionally());
        cache.get();
        assertEquals(3, fetches.size(), "a failed fetch is not cached");
    }
}

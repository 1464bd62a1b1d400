package io.baton.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.baton.proto.Command;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BehindFollowersTest {
    private final CoreFixture f = PolicyFixture.allAlive();
    private long seq = 1000;

    /** {@code node}'s heartbeats report it applied index 1 while the log is far ahead; or (caughtUp) the log's end. */
    private void lag(String node, boolean caughtUp) {
        for (int i = 0; i < 60; i++) {
            f.beat("c");
        }
        for (int i = 0; i < ReplicaLag.HEARTBEATS_IN_A_ROW; i++) {
            Command hb = CoreFixture.heartbeat(node, 1, ++seq);
            long applied = caughtUp ? Long.MAX_VALUE / 2 : 1;
            f.ok(hb.toBuilder().setHeartbeat(hb.getHeartbeat().toBuilder().setAppliedIndex(applied)).build());
        }
    }

    @Test
    void remembersWhenEachNodeWasFirstSeenBehind_forgetsOneCaughtUp() {
        BehindFollowers b = BehindFollowers.NONE.seen(f.state, 5);
        assertEquals(Map.of(), b.sinceNanos());
        lag("a", false);
        b = b.seen(f.state, 10);
        assertEquals(OptionalLong.of(10), b.since("a"));
        lag("b", false);
        b = b.seen(f.state, 20);
        assertEquals(Map.of("a", 10L, "b", 20L), b.sinceNanos(), "a keeps the time it was first seen");
        assertSame(b, b.seen(f.state, 30), "nothing changed");
        lag("a", true);
        b = b.seen(f.state, 40);
        assertEquals(Map.of("b", 20L), b.sinceNanos());
        lag("a", false);
        assertEquals(OptionalLong.of(50), b.seen(f.state, 50).since("a"), "behind again: a new start");
    }
}

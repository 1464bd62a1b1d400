package io.baton.coordinator.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

class SteeredClientTest {
    /** A stand-in client: just the leader it was built to start at. */
    record Built(Optional<RaftPeerId> startsAt) {}

    private final AtomicReference<Optional<RaftPeerId>> serverLeader = new AtomicReference<>(Optional.empty());
    private final List<Built> built = new ArrayList<>();
    private final SteeredClient<Built> client = new SteeredClient<>(serverLeader::get, leader -> {
        Built b = new Built(leader);
        built.add(b);
        return b;
    });

    private static Optional<RaftPeerId> peer(String id) {
        return Optional.of(RaftPeerId.valueOf(id));
    }

    @Test
    void withNoLeaderKnownTheFirstClientStartsWhereRatisChooses() {
        assertTrue(client.get().startsAt().isEmpty());
        assertSame(built.get(0), client.get());
        assertEquals(1, built.size());
    }

    @Test
    void aLeaderLearnedByTheServerStartsANewClientThere() {
        client.get();
        serverLeader.set(peer("witness"));
        assertEquals(peer("witness"), client.get().startsAt());
        serverLeader.set(peer("server1"));
        assertEquals(peer("server1"), client.get().startsAt());
        assertEquals(3, built.size());
    }

    @Test
    void anUnchangedViewKeepsTheClientAndWhatItFoundOnItsOwn() {
        serverLeader.set(peer("server1"));
        Built first = client.get();
        assertSame(first, client.get());
        assertSame(first, client.get());
        assertEquals(1, built.size());
    }

    @Test
    void losingTheLeaderKeepsTheClientAndItsReturnIsNotAChange() {
        serverLeader.set(peer("server1"));
        Built first = client.get();
        serverLeader.set(Optional.empty());      // election under way: keep going where we were
        assertSame(first, client.get());
        serverLeader.set(peer("server1"));       // the same leader again: nothing to steer
        assertSame(first, client.get());
        serverLeader.set(peer("server2"));
        assertEquals(peer("server2"), client.get().startsAt());
        assertEquals(2, built.size());
    }
}

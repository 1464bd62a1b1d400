package io.baton.resources.mirror.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.resources.mirror.engine.PeerPhase.Action;
import io.baton.resources.mirror.engine.PeerPhase.Event;
import io.baton.resources.mirror.engine.PeerPhase.Step;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every (phase, event) pair of the primary's link to its peer, a peer lost in each phase included. */
class PeerPhaseTest {

    private static Step on(PeerPhase p, Event e) {
        return p.on(e, false);
    }

    @Test
    void theWayUpFromNoLinkToInSync() {
        assertEquals(new Step(PeerPhase.HANDSHAKING, List.of(Action.SEND_HELLO)), on(PeerPhase.DISCONNECTED, Event.CONNECTED));
        assertEquals(new Step(PeerPhase.IN_SYNC, List.of(Action.FORWARD_WRITES)),
                on(PeerPhase.HANDSHAKING, Event.IN_SYNC_AT_HELLO));
        assertEquals(new Step(PeerPhase.RESYNCING, List.of(Action.FORWARD_WRITES, Action.SEND_CHUNKS)),
                on(PeerPhase.HANDSHAKING, Event.RESYNC_BEGUN));
        assertEquals(new Step(PeerPhase.IN_SYNC, List.of(Action.COMMIT_UP_TO_DATE)), on(PeerPhase.RESYNCING, Event.RESYNC_ENDED));
    }

    @Test
    void aPeerLostInEachPhase() {
        // Nothing unflushed: stop forwarding where writes were forwarded, and try again.
        assertEquals(new Step(PeerPhase.DISCONNECTED, List.of()), on(PeerPhase.DISCONNECTED, Event.LOST),
                "a second report of the same loss: nothing more to do");
        assertEquals(new Step(PeerPhase.DISCONNECTED, List.of(Action.RETRY_LATER)), on(PeerPhase.HANDSHAKING, Event.LOST));
        assertEquals(new Step(PeerPhase.DISCONNECTED, List.of(Action.STOP_FORWARDING, Action.RETRY_LATER)),
                on(PeerPhase.RESYNCING, Event.LOST));
        assertEquals(new Step(PeerPhase.DISCONNECTED, List.of(Action.STOP_FORWARDING, Action.RETRY_LATER)),
                on(PeerPhase.IN_SYNC, Event.LOST));
        assertEquals(new Step(PeerPhase.STOPPED, List.of()), on(PeerPhase.STOPPED, Event.LOST));
        // Writes the peer acknowledged but no FLUSH_ACK covered: into the bitmap, in every phase they can exist in.
        for (PeerPhase p : List.of(PeerPhase.DISCONNECTED, PeerPhase.HANDSHAKING, PeerPhase.RESYNCING, PeerPhase.IN_SYNC)) {
            assertTrue(p.on(Event.LOST, true).actions().contains(Action.RECORD_UNFLUSHED), p.name());
            assertEquals(PeerPhase.DISCONNECTED, p.on(Event.LOST, true).next());
        }
    }

    @Test
    void stoppingIsFinalFromEveryPhase() {
        for (PeerPhase p : PeerPhase.values()) {
            Step s = on(p, Event.STOPPED);
            assertEquals(PeerPhase.STOPPED, s.next());
            assertEquals(p == PeerPhase.STOPPED ? List.of() : List.of(Action.FAIL_WRITES), s.actions(), p.name());
        }
        for (Event e : Event.values()) {
            assertEquals(new Step(PeerPhase.STOPPED, List.of()), on(PeerPhase.STOPPED, e), "late " + e);
        }
    }

    @Test
    void everyOtherPairIsABugAndSaysSo() {
        Map<PeerPhase, Set<Event>> allowed = Map.of(
                PeerPhase.DISCONNECTED, EnumSet.of(Event.CONNECTED, Event.LOST, Event.STOPPED),
                PeerPhase.HANDSHAKING, EnumSet.of(Event.IN_SYNC_AT_HELLO, Event.RESYNC_BEGUN, Event.LOST, Event.STOPPED),
                PeerPhase.RESYNCING, EnumSet.of(Event.RESYNC_ENDED, Event.LOST, Event.STOPPED),
                PeerPhase.IN_SYNC, EnumSet.of(Event.LOST, Event.STOPPED),
                PeerPhase.STOPPED, EnumSet.allOf(Event.class));
        int refused = 0;
        for (PeerPhase p : PeerPhase.values()) {
            for (Event e : Event.values()) {
                if (allowed.get(p).contains(e)) {
                    on(p, e);
                } else {
                    IllegalStateException x = assertThrows(IllegalStateException.class, () -> on(p, e));
                    assertTrue(x.getMessage().startsWith("peer link event " + e + " in phase " + p), x.getMessage());
                    refused++;
                }
            }
        }
        assertEquals(12, refused);
    }

    @Test
    void writesAreForwardedWhileResyncingAndInSyncOnly() {
        for (PeerPhase p : PeerPhase.values()) {
            assertEquals(p == PeerPhase.RESYNCING || p == PeerPhase.IN_SYNC, p.forwarding(), p.name());
        }
        assertTrue(PeerPhase.RESYNCING.syncing());
        assertFalse(PeerPhase.IN_SYNC.syncing());
    }
}

package io.baton.resources.mirror.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the primary's link to its peer stands, as one state, and the steps between states with the
 * actions each asks of the primary. Pure: {@link MirrorPrimary} holds the current phase (under its
 * lock), asks {@link #on} at each event, and carries out the actions; what the phase implies for a
 * write ({@link #forwarding}) is read from it, never kept in a flag of its own.
 *
 * <pre>
 *   DISCONNECTED --connected--> HANDSHAKING --in sync at hello--> IN_SYNC
 *                                     |                              ^
 *                                     +--resync begun--> RESYNCING --+ resync ended
 *   any of them --lost--> DISCONNECTED          any --stopped--> STOPPED (fenced or closed; final)
 * </pre>
 */
enum PeerPhase {
    /** No link; the peer thread retries. Writes go to the bitmap (the freeze rule first). */
    DISCONNECTED,
    /** Connected; HELLOs being exchanged. Writes still go to the bitmap. */
    HANDSHAKING,
    /** The peer gets the bitmap's blocks; live writes are forwarded and acknowledged meanwhile. */
    RESYNCING,
    /** Every write waits for the peer's ack (protocol C). */
    IN_SYNC,
    /** Fenced or closed: every write fails; nothing follows. */
    STOPPED;

    /** What happens to the link. */
    enum Event {
        CONNECTED,
        /** The peer's HELLO says it holds exactly our data. */
        IN_SYNC_AT_HELLO,
        /** RS_BEGIN acknowledged. */
        RESYNC_BEGUN,
        /** RS_END acknowledged: the bitmap is clean. */
        RESYNC_ENDED,
        /** The link failed (timeout, reset, refusal) or the handshake did. */
        LOST,
        /** The primary is fenced or closed. */
        STOPPED
    }

    /** What the primary does on a step. */
    enum Action {
        SEND_HELLO,
        /** Writes go to the peer and wait for its ack. */
        FORWARD_WRITES,
        /** Chunks of the bitmap's blocks go to the peer. */
        SEND_CHUNKS,
        /** Commit UpToDate(peer), then PEER_TRACKED off. */
        COMMIT_UP_TO_DATE,
        /** Writes no longer go to the peer. */
        STOP_FORWARDING,
        /** Acknowledged writes no FLUSH_ACK covered go into the persisted bitmap (the freeze rule first). */
        RECORD_UNFLUSHED,
        /** Try the peer again after the reconnect interval. */
        RETRY_LATER,
        /** Close the link; waiting and later writes fail. */
        FAIL_WRITES
    }

    /** The phase after a step and what to do. */
    record Step(PeerPhase next, List<Action> actions) {
        Step {
            actions = List.copyOf(actions);
        }
    }

    /** Writes go to the peer in this phase. */
    boolean forwarding() {
        return this == RESYNCING || this == IN_SYNC;
    }

    boolean syncing() {
        return this == RESYNCING;
    }

    /**
     * The step for {@code event} in this phase.
     *
     * @param unflushed some acknowledged write has no FLUSH_ACK yet (matters when the link is lost)
     * @throws IllegalStateException for an event that cannot happen in this phase (a bug in the caller)
     */
    Step on(Event event, boolean unflushed) {
        if (this == STOPPED) {
            return new Step(STOPPED, List.of()); // final: late events change nothing
        }
        switch (event) {
            case STOPPED:
                return new Step(STOPPED, List.of(Action.FAIL_WRITES));
            case LOST: {
                List<Action> a = new ArrayList<>();
                if (forwarding()) {
                    a.add(Action.STOP_FORWARDING);
                }
                if (unflushed) {
                    a.add(Action.RECORD_UNFLUSHED);
                }
                if (this != DISCONNECTED) {
                    a.add(Action.RETRY_LATER);
                }
                return new Step(DISCONNECTED, a);
            }
            case CONNECTED:
                require(DISCONNECTED, event);
                return new Step(HANDSHAKING, List.of(Action.SEND_HELLO));
            case IN_SYNC_AT_HELLO:
                require(HANDSHAKING, event);
                return new Step(IN_SYNC, List.of(Action.FORWARD_WRITES));
            case RESYNC_BEGUN:
                require(HANDSHAKING, event);
                return new Step(RESYNCING, List.of(Action.FORWARD_WRITES, Action.SEND_CHUNKS));
            case RESYNC_ENDED:
                require(RESYNCING, event);
                return new Step(IN_SYNC, List.of(Action.COMMIT_UP_TO_DATE));
            default:
                throw new IllegalStateException(String.valueOf(event));
        }
    }

    private void require(PeerPhase expected, Event event) {
        if (this != expected) {
            throw new IllegalStateException("peer link event " + event + " in phase " + this + ", only in " + expected);
        }
    }
}

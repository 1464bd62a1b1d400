package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.meta.ActiveExtents;
import io.baton.resources.mirror.wire.HelloPayload;
import io.baton.resources.mirror.engine.ReplicaStatePort.ReplicaState;
import io.baton.resources.mirror.wire.ResyncKind;
import java.util.Optional;

/**
 * The primary's decisions about its peer, as pure functions of what it knows: what to mark in the
 * bitmap when it starts, and what to do with a peer that has just said HELLO. {@link MirrorPrimary}
 * carries them out (bitmap, metadata, Raft commits, the link); these say what and why. Every branch is
 * tested on its own in {@code PeerDecisionsTest}.
 */
final class PeerDecisions {
    private PeerDecisions() {}

    /**
     * What the primary does to its bitmap and generation when it starts.
     *
     * @param markAll       every block: nothing says what the peer lacks
     * @param markInFlight  the extents of our own activity log (we crashed as primary)
     * @param startTracking a new generation, the peer tracked from now on (PEER_TRACKED)
     * @param why           for the log, when anything is marked
     */
    record Start(boolean markAll, Optional<ActiveExtents> markInFlight, boolean startTracking, String why) {}

    /**
     * @param crashedAsPrimary our superblock has WAS_PRIMARY without CLEAN_SHUTDOWN
     * @param activityLog      our activity log's record, if the area has one
     * @param peerTracked      our superblock has PEER_TRACKED
     * @param peerCommitted    the peer's replica state in the committed (Raft) state
     */
    static Start atStart(boolean crashedAsPrimary, Optional<ActiveExtents> activityLog, boolean peerTracked,
                         ReplicaState peerCommitted) {
        if (crashedAsPrimary && activityLog.isEmpty()) {
            // No record says what a crashed primary had in flight (an area of an older build).
            return new Start(true, Optional.empty(), !peerTracked, "this node crashed as primary, with no activity log");
        }
        if (peerCommitted != ReplicaState.UP_TO_DATE && !peerTracked) {
            // No bitmap says what an untracked peer lacks.
            return new Start(true, Optional.empty(), true, "peer is committed " + peerCommitted + " and not tracked");
        }
        if (crashedAsPrimary) {
            return new Start(false, activityLog, !peerTracked, "this node crashed as primary");
        }
        return new Start(false, Optional.empty(), false, "");
    }

    /** What to do with a peer that said HELLO. */
    enum Link {
        /** It holds exactly our data: forward writes to it, no resync. */
        IN_SYNC,
        /** Copy what the bitmap holds (after the marks below). */
        DIFFERENTIAL,
        /** Copy everything. */
        FULL
    }

    /**
     * @param link          in sync, or the resync to run
     * @param demote        commit the peer not UpToDate (Inconsistent) first, if it may be
     * @param markAll       mark every block
     * @param markInFlight  mark the peer's activity log's extents (it crashed as primary)
     * @param startTracking a new generation, the peer tracked from now on
     */
    record Hello(Link link, boolean demote, boolean markAll, Optional<ActiveExtents> markInFlight, boolean startTracking) {
        ResyncKind resyncKind() {
            return link == Link.FULL ? ResyncKind.FULL : ResyncKind.DIFFERENTIAL;
        }
    }

    /**
     * @param peerTracked         we track the peer in the bitmap (PEER_TRACKED)
     * @param ourCurrent          our current generation id
     * @param ourPrevious         our previous generation id (the peer's, when we began tracking it)
     * @param unflushedWritesNone no write is waiting for a FLUSH_ACK that would cover it
     * @param theirs              the peer's HELLO
     */
    static Hello onHello(boolean peerTracked, long ourCurrent, long ourPrevious, boolean unflushedWritesNone,
                         HelloPayload theirs) {
        boolean crashed = theirs.crashedAsPrimary();
        Optional<ActiveExtents> inFlight = crashed ? theirs.activityLog() : Optional.empty();
        boolean inFlightUnknown = crashed && inFlight.isEmpty();
        long g = theirs.currentGenerationId();
        if (!peerTracked) {
            boolean sameData = g == ourCurrent && unflushedWritesNone;
            if (sameData && !crashed) {
                return new Hello(Link.IN_SYNC, false, false, Optional.empty(), false);
            }
            if (sameData && !inFlightUnknown) {
                // It crashed as primary, we took over and wrote nothing since: only its in-flight extents differ.
                return new Hello(Link.DIFFERENTIAL, true, false, inFlight, true);
            }
            // We thought it held our data; it does not (another lineage, or in-flight writes nobody recorded).
            return new Hello(Link.FULL, true, true, Optional.empty(), true);
        }
        // Our bitmap is relative to its generation if that is our previous one, or our current one after an
        // RS_END whose completion we did not record.
        if (!inFlightUnknown && g != 0 && (g == ourPrevious || g == ourCurrent)) {
            return new Hello(Link.DIFFERENTIAL, false, false, inFlight, false);
        }
        return new Hello(Link.FULL, false, true, inFlight, false);
    }
}

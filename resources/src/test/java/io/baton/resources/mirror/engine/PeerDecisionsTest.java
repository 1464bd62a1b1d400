package io.baton.resources.mirror.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.resources.mirror.meta.ActiveExtents;
import io.baton.resources.mirror.wire.HelloPayload;
import io.baton.resources.mirror.engine.ReplicaStatePort.ReplicaState;
import io.baton.resources.mirror.meta.Superblock;
import io.baton.resources.mirror.meta.Superblock.Flag;
import io.baton.resources.mirror.engine.PeerDecisions.Hello;
import io.baton.resources.mirror.engine.PeerDecisions.Link;
import io.baton.resources.mirror.engine.PeerDecisions.Start;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every branch of the primary's decisions about its peer, without files, threads or a network. */
class PeerDecisionsTest {

    private static final long CURRENT = 0xC0;
    private static final long PREVIOUS = 0xB0;
    private static final Optional<ActiveExtents> LOG = Optional.of(new ActiveExtents(0, new int[] {1, 4}));
    private static final Optional<ActiveExtents> NONE = Optional.empty();

    // ---- at start ----

    @Test
    void aCleanStartWithAnUpToDatePeerMarksNothing() {
        assertEquals(new Start(false, NONE, false, ""), PeerDecisions.atStart(false, LOG, false, ReplicaState.UP_TO_DATE));
        assertEquals(new Start(false, NONE, false, ""), PeerDecisions.atStart(false, NONE, true, ReplicaState.OUTDATED),
                "a tracked peer's bitmap already says what it lacks");
    }

    @Test
    void aCrashAsPrimaryMarksTheActivityLogAndTracksThePeerIfItWasNot() {
        assertEquals(new Start(false, LOG, true, "this node crashed as primary"),
                PeerDecisions.atStart(true, LOG, false, ReplicaState.UP_TO_DATE));
        assertEquals(new Start(false, LOG, false, "this node crashed as primary"),
                PeerDecisions.atStart(true, LOG, true, ReplicaState.INCONSISTENT));
    }

    @Test
    void aCrashAsPrimaryWithoutARecordMarksEverything() {
        assertEquals(new Start(true, NONE, true, "this node crashed as primary, with no activity log"),
                PeerDecisions.atStart(true, NONE, false, ReplicaState.UP_TO_DATE));
        assertEquals(new Start(true, NONE, false, "this node crashed as primary, with no activity log"),
                PeerDecisions.atStart(true, NONE, true, ReplicaState.OUTDATED));
    }

    @Test
    void anUntrackedPeerThatIsNotUpToDateGetsEverything() {
        for (ReplicaState s : new ReplicaState[] {ReplicaState.OUTDATED, ReplicaState.INCONSISTENT}) {
            assertEquals(new Start(true, NONE, true, "peer is committed " + s + " and not tracked"),
                    PeerDecisions.atStart(false, NONE, false, s));
            assertEquals(new Start(true, NONE, true, "peer is committed " + s + " and not tracked"),
                    PeerDecisions.atStart(true, LOG, false, s), "a crash changes nothing: everything is marked anyway");
        }
    }

    // ---- a peer's HELLO ----

    private static HelloPayload hello(long generation, boolean crashedAsPrimary, Optional<ActiveExtents> log) {
        Superblock sb = Superblock.initial("web/disk", "b", 1L << 30, generation);
        if (crashedAsPrimary) {
            sb = sb.withFlag(Flag.WAS_PRIMARY, true);
        } else {
            sb = sb.withFlag(Flag.CLEAN_SHUTDOWN, true);
        }
        return HelloPayload.ofReplica(sb, log);
    }

    @Test
    void anUntrackedPeerWithOurGenerationIsInSync() {
        assertEquals(new Hello(Link.IN_SYNC, false, false, NONE, false),
                PeerDecisions.onHello(false, CURRENT, PREVIOUS, true, hello(CURRENT, false, NONE)));
    }

    @Test
    void anUntrackedPeerWithWritesAwaitingAFlushOrAnotherGenerationGetsEverything() {
        Hello full = new Hello(Link.FULL, true, true, NONE, true);
        assertEquals(full, PeerDecisions.onHello(false, CURRENT, PREVIOUS, false, hello(CURRENT, false, NONE)));
        assertEquals(full, PeerDecisions.onHello(false, CURRENT, PREVIOUS, true, hello(PREVIOUS, false, NONE)));
        assertEquals(full, PeerDecisions.onHello(false, CURRENT, PREVIOUS, true, hello(0, false, NONE)));
    }

    @Test
    void anUntrackedPeerThatCrashedAsPrimaryGetsItsActivityLogsExtents() {
        assertEquals(new Hello(Link.DIFFERENTIAL, true, false, LOG, true),
                PeerDecisions.onHello(false, CURRENT, PREVIOUS, true, hello(CURRENT, true, LOG)));
        assertEquals(new Hello(Link.FULL, true, true, NONE, true),
                PeerDecisions.onHello(false, CURRENT, PREVIOUS, true, hello(CURRENT, true, NONE)), "no record: everything");
        assertEquals(new Hello(Link.FULL, true, true, NONE, true),
                PeerDecisions.onHello(false, CURRENT, PREVIOUS, false, hello(CURRENT, true, LOG)),
                "writes awaiting a flush are in no record of the peer's: everything");
    }

    @Test
    void aTrackedPeerOfOurPreviousOrCurrentGenerationGetsTheBitmap() {
        Hello diff = new Hello(Link.DIFFERENTIAL, false, false, NONE, false);
        assertEquals(diff, PeerDecisions.onHello(true, CURRENT, PREVIOUS, true, hello(PREVIOUS, false, NONE)));
        assertEquals(diff, PeerDecisions.onHello(true, CURRENT, PREVIOUS, false, hello(CURRENT, false, NONE)),
                "an RS_END we did not record; writes awaiting a flush are in the bitmap once tracked");
    }

    @Test
    void aTrackedPeerOfAnotherLineageGetsEverything() {
        assertEquals(new Hello(Link.FULL, false, true, NONE, false),
                PeerDecisions.onHello(true, CURRENT, PREVIOUS, true, hello(0xDEAD, false, NONE)));
        assertEquals(new Hello(Link.FULL, false, true, NONE, false),
                PeerDecisions.onHello(true, CURRENT, PREVIOUS, true, hello(0, false, NONE)), "a new disk");
    }

    @Test
    void aTrackedPeerThatCrashedAsPrimaryAddsItsActivityLogOrGetsEverythingWithoutOne() {
        Optional<ActiveExtents> sent = LOG;
        assertEquals(new Hello(Link.DIFFERENTIAL, false, false, sent, false),
                PeerDecisions.onHello(true, CURRENT, PREVIOUS, true, hello(PREVIOUS, true, LOG)));
        assertEquals(new Hello(Link.FULL, false, true, NONE, false),
                PeerDecisions.onHello(true, CURRENT, PREVIOUS, true, hello(PREVIOUS, true, NONE)));
        assertEquals(new Hello(Link.FULL, false, true, sent, false),
                PeerDecisions.onHello(true, CURRENT, PREVIOUS, true, hello(0xDEAD, true, LOG)),
                "another lineage: everything (its extents too, harmlessly)");
    }
}

package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.grant;
import static io.baton.coordinator.core.CoreFixture.move;
import static io.baton.coordinator.core.CoreFixture.released;
import static io.baton.coordinator.core.CoreFixture.start;
import static io.baton.proto.ReplicaStateProto.REPLICA_INCONSISTENT;
import static io.baton.proto.ReplicaStateProto.REPLICA_OUTDATED;
import static io.baton.proto.ReplicaStateProto.REPLICA_UP_TO_DATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.Event;
import io.baton.proto.ResultCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Grants of a mirrored group go to UpToDate replicas only (S3); a new disk's first grant sets the states. */
class CoreMirrorGrantTest {

    @Test
    void aNewDiskHasNoReplicaStatesAndItsFirstGrantGoesToAnyMember() {
        CoreFixture f = MirrorFixture.fresh();
        assertEquals(Map.of(), f.group("g").replicas());
        f.ok(grant("g", "b", 0));
        assertEquals(Map.of("a", Replica.INCONSISTENT, "b", Replica.UP_TO_DATE, "c", Replica.INCONSISTENT),
                f.group("g").replicas(), "the first owner is the source of a full sync to the others");
    }

    @Test
    void aGroupWithoutAMirrorDiskKeepsNoReplicaStates() {
        CoreFixture f = MirrorFixture.fresh();
        f.ok(grant("plain", "a", 0));
        assertEquals(Map.of(), f.group("plain").replicas());
    }

    @Test
    void theFirstGrantMayAlsoBeAnOperatorsStartOrMove() {
        CoreFixture f = MirrorFixture.fresh();
        f.ok(start("g", "c"));
        assertEquals(Replica.UP_TO_DATE, f.group("g").replica("c"));
        CoreFixture m = MirrorFixture.fresh();
        m.ok(move("g", "b"));
        assertEquals(Replica.UP_TO_DATE, m.group("g").replica("b"));
        assertEquals(Replica.INCONSISTENT, m.group("g").replica("a"));
    }

    @Test
    void aControllerGrantToAnOutdatedOrInconsistentReplicaIsRefused() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_OUTDATED, REPLICA_INCONSISTENT);
        f.refused(f.decidedGrant("g", "b"), ResultCode.RESULT_STALE,
                "node 'b''s replica of group 'g' is Outdated", "cannot be granted",
                "batonctl force-activate g --on b --accept-data-loss");
        f.refused(f.decidedGrant("g", "c"), ResultCode.RESULT_STALE, "'c'", "Inconsistent", "resync");
    }

    @Test
    void aGrantToAnUpToDateReplicaIsAccepted() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_UP_TO_DATE, REPLICA_OUTDATED);
        f.ok(f.decidedGrant("g", "b"));
        assertEquals("b", f.group("g").owner());
        assertEquals(2, f.group("g").epoch());
        assertEquals(Replica.UP_TO_DATE, f.group("g").replica("a"), "a later grant leaves the states as recorded");
        assertEquals(Replica.OUTDATED, f.group("g").replica("c"));
    }

    @Test
    void moveAndStartOnToAReplicaThatIsNotUpToDateAreRefused() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_OUTDATED, REPLICA_INCONSISTENT);
        f.refused(move("g", "b"), ResultCode.RESULT_FAILED_PRECONDITION, "'b'", "Outdated", "force-activate");
        f.refused(move("g", "c"), ResultCode.RESULT_FAILED_PRECONDITION, "'c'", "Inconsistent");
        f.refused(start("g", "b"), ResultCode.RESULT_FAILED_PRECONDITION, "'b'", "Outdated");
        f.ok(CoreFixture.stop("g"));
        f.beat("a", released("g", 1));
        f.refused(start("g", "c"), ResultCode.RESULT_FAILED_PRECONDITION, "'c'", "Inconsistent");
    }

    @Test
    void aMemberWithNoRecordedStateIsNotGrantedOnceTheDiskExists() {
        CoreFixture f = MirrorFixture.onlineOnA();
        f.group("g").replicas.remove("c"); // as after c joined the group in the cluster file
        f.refused(move("g", "c"), ResultCode.RESULT_FAILED_PRECONDITION, "'c'", "no recorded state", "full sync");
    }

    @Test
    void moveToAnUpToDateReplicaHandsOverAtTheRelease() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_UP_TO_DATE, REPLICA_INCONSISTENT);
        f.ok(move("g", "b"));
        f.beat("a", released("g", 1));
        assertEquals("b", f.group("g").owner());
        assertEquals(Phase.STARTING, f.group("g").phase());
    }

    @Test
    void aMoveTargetRecordedBehindWhileTheOwnerReleasesIsNotGranted() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_UP_TO_DATE, REPLICA_INCONSISTENT);
        f.ok(move("g", "b"));
        // a fell out of touch with b while stopping, after a write: b now lacks it.
        f.ok(CoreFixture.replicaUpdate("g", "b", REPLICA_OUTDATED, "a", 1));
        f.beat("a", released("g", 1));
        GroupState g = f.group("g");
        assertNull(g.owner());
        assertEquals(Phase.OFFLINE, g.phase());
        assertEquals(1, g.epoch(), "no grant");
        List<Event> events = f.state.events();
        Event last = events.get(events.size() - 1);
        assertEquals("move-cancelled", last.getKind());
        assertEquals("b", last.getNode());
        assertTrue(last.getMessage().contains("Outdated"), last::getMessage);
    }
}

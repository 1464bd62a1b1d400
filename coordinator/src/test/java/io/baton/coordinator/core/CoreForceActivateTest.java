package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.forceActivate;
import static io.baton.coordinator.core.CoreFixture.liveness;
import static io.baton.proto.ReplicaStateProto.REPLICA_INCONSISTENT;
import static io.baton.proto.ReplicaStateProto.REPLICA_OUTDATED;
import static io.baton.proto.ReplicaStateProto.REPLICA_UP_TO_DATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import io.baton.proto.ResultCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An operator grants an Outdated replica, accepting the data loss, only when nothing better exists. */
class CoreForceActivateTest {

    /** g on a with b Outdated and c Inconsistent; then a dies and the leader revokes its grant. */
    private static CoreFixture ownerDownAndRevoked() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_OUTDATED, REPLICA_INCONSISTENT);
        f.ok(liveness("a", false));
        f.ok(f.decidedRevoke("g"));
        return f;
    }

    @Test
    void forcesAnOutdatedReplicaOnlineAndNamesTheLoss() {
        CoreFixture f = ownerDownAndRevoked();
        f.ok(CoreFixture.stop("g"));
        long seq = f.state.nextEventSeq();
        CommandResult r = f.ok(forceActivate("g", "b"));
        assertEquals(2, r.getEpoch());
        GroupState g = f.group("g");
        assertEquals("b", g.owner());
        assertEquals(2, g.epoch());
        assertEquals(Phase.STARTING, g.phase());
        assertFalse(g.adminStopped(), "a force-activate is a start");
        assertEquals(Map.of("a", Replica.OUTDATED, "b", Replica.UP_TO_DATE, "c", Replica.INCONSISTENT), g.replicas(),
                "the old source now lacks b's writes; an Inconsistent replica still needs a full sync");
        List<Event> events = f.state.events().stream().filter(e -> e.getSeq() >= seq).toList();
        assertEquals(List.of("force-activate", "granted"), events.stream().map(Event::getKind).toList());
        assertEquals("accepted data loss: replica of b was Outdated; writes acknowledged after it fell behind are lost",
                events.get(0).getMessage());
        assertEquals("b", events.get(0).getNode());
    }

    @Test
    void refusedWhileTheOwnerIsActive() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_OUTDATED, REPLICA_INCONSISTENT);
        f.refused(forceActivate("g", "b"), ResultCode.RESULT_FAILED_PRECONDITION, "active on 'a'", "no active owner");
    }

    @Test
    void refusedWhileADownOwnerStillHoldsTheGrant() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_OUTDATED, REPLICA_INCONSISTENT);
        f.ok(liveness("a", false));
        f.refused(forceActivate("g", "b"), ResultCode.RESULT_FAILED_PRECONDITION,
                "still granted to 'a'", "down", "lease", "retry");
    }

    @Test
    void refusedForAnInconsistentReplica() {
        CoreFixture f = ownerDownAndRevoked();
        f.refused(forceActivate("g", "c"), ResultCode.RESULT_FAILED_PRECONDITION, "'c'", "Inconsistent", "half-synced");
    }

    @Test
    void refusedForAnUpToDateReplica() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_UP_TO_DATE, REPLICA_OUTDATED);
        f.ok(CoreFixture.stop("g"));
        f.beat("a", CoreFixture.released("g", 1));
        f.refused(forceActivate("g", "b"), ResultCode.RESULT_FAILED_PRECONDITION, "UpToDate", "batonctl start g --on b");
    }

    @Test
    void refusedWhileAnotherUpToDateReplicaIsUp() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_OUTDATED, REPLICA_INCONSISTENT);
        f.ok(CoreFixture.stop("g"));
        f.beat("a", CoreFixture.released("g", 1));
        f.refused(forceActivate("g", "b"), ResultCode.RESULT_FAILED_PRECONDITION,
                "node 'a''s replica of group 'g' is UpToDate", "batonctl start g --on a");
    }

    @Test
    void refusedForANewDiskADownNodeOrAGroupWithoutAMirror() {
        CoreFixture fresh = MirrorFixture.fresh();
        fresh.refused(forceActivate("g", "b"), ResultCode.RESULT_FAILED_PRECONDITION, "never granted", "batonctl start g");
        CoreFixture f = ownerDownAndRevoked();
        f.ok(liveness("b", false));
        f.refused(forceActivate("g", "b"), ResultCode.RESULT_FAILED_PRECONDITION, "'b' is down");
        f.refused(forceActivate("plain", "b"), ResultCode.RESULT_INVALID_ARGUMENT, "'plain' has no mirror disk");
        f.refused(forceActivate("g", "witness"), ResultCode.RESULT_INVALID_ARGUMENT, "witness");
        f.refused(forceActivate("nope", "b"), ResultCode.RESULT_NOT_FOUND, "nope");
    }
}

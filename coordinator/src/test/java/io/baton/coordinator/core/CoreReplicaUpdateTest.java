package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.replicaUpdate;
import static io.baton.proto.ReplicaStateProto.REPLICA_INCONSISTENT;
import static io.baton.proto.ReplicaStateProto.REPLICA_OUTDATED;
import static io.baton.proto.ReplicaStateProto.REPLICA_UNKNOWN;
import static io.baton.proto.ReplicaStateProto.REPLICA_UP_TO_DATE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The owner records its peers' replica states; nobody else, and never under an old epoch. */
class CoreReplicaUpdateTest {
    private final CoreFixture f = MirrorFixture.onlineOnA();

    @Test
    void theOwnerRecordsAPeerAndAnEventSaysSo() {
        long seq = f.state.nextEventSeq();
        CommandResult r = f.ok(replicaUpdate("g", "b", REPLICA_UP_TO_DATE, "a", 1));
        assertEquals("b's replica of g is now UpToDate", r.getMessage());
        assertEquals(Replica.UP_TO_DATE, f.group("g").replica("b"));
        f.ok(replicaUpdate("g", "b", REPLICA_OUTDATED, "a", 1));
        assertEquals(Replica.OUTDATED, f.group("g").replica("b"));
        List<Event> events = f.state.events().stream().filter(e -> e.getSeq() >= seq).toList();
        assertEquals(List.of("replica", "replica"), events.stream().map(Event::getKind).toList());
        assertEquals("b", events.get(1).getNode());
        assertEquals(1, events.get(1).getEpoch());
        assertEquals("replica UpToDate -> Outdated, recorded by owner a", events.get(1).getMessage());
    }

    @Test
    void recordingTheSameStateAgainChangesNothing() {
        f.ok(replicaUpdate("g", "b", REPLICA_OUTDATED, "a", 1));
        long seq = f.state.nextEventSeq();
        CommandResult r = f.ok(replicaUpdate("g", "b", REPLICA_OUTDATED, "a", 1));
        assertEquals("b's replica of g is already Outdated", r.getMessage());
        assertEquals(seq, f.state.nextEventSeq(), "no event");
    }

    @Test
    void aNonOwnerIsRefusedAsStale() {
        f.refused(replicaUpdate("g", "c", REPLICA_UP_TO_DATE, "b", 1), ResultCode.RESULT_STALE,
                "only the owner of group 'g'", "a's at epoch 1", "not b's at epoch 1");
    }

    @Test
    void aStaleEpochIsRefusedAsStale() {
        f.refused(replicaUpdate("g", "b", REPLICA_UP_TO_DATE, "a", 0), ResultCode.RESULT_STALE, "epoch 1", "epoch 0");
        // a deposed owner: g moved on to b at epoch 2; a's late record under epoch 1 must not count.
        f.ok(replicaUpdate("g", "b", REPLICA_UP_TO_DATE, "a", 1));
        f.ok(CoreFixture.move("g", "b"));
        f.beat("a", CoreFixture.released("g", 1));
        f.refused(replicaUpdate("g", "b", REPLICA_OUTDATED, "a", 1), ResultCode.RESULT_STALE, "b's at epoch 2");
    }

    @Test
    void aGroupWithNoOwnerTakesNoRecords() {
        f.ok(CoreFixture.stop("g"));
        f.beat("a", CoreFixture.released("g", 1));
        f.refused(replicaUpdate("g", "b", REPLICA_UP_TO_DATE, "a", 1), ResultCode.RESULT_STALE, "nobody's");
    }

    @Test
    void theOwnerCannotMarkItselfBehind() {
        f.refused(replicaUpdate("g", "a", REPLICA_OUTDATED, "a", 1), ResultCode.RESULT_FAILED_PRECONDITION,
                "owner 'a'", "its own replica", "Outdated", "source");
        f.refused(replicaUpdate("g", "a", REPLICA_INCONSISTENT, "a", 1), ResultCode.RESULT_FAILED_PRECONDITION,
                "Inconsistent");
    }

    @Test
    void badInputIsRefusedWithWhatIsWrong() {
        f.refused(replicaUpdate("g", "b", REPLICA_UNKNOWN, "a", 1), ResultCode.RESULT_INVALID_ARGUMENT,
                "UpToDate, Outdated or Inconsistent");
        f.refused(replicaUpdate("g", "witness", REPLICA_OUTDATED, "a", 1), ResultCode.RESULT_INVALID_ARGUMENT, "witness");
        f.refused(replicaUpdate("g", "ghost", REPLICA_OUTDATED, "a", 1), ResultCode.RESULT_NOT_FOUND, "ghost");
        f.refused(replicaUpdate("nope", "b", REPLICA_OUTDATED, "a", 1), ResultCode.RESULT_NOT_FOUND, "nope");
        f.ok(CoreFixture.grant("plain", "a", 0));
        f.refused(replicaUpdate("plain", "b", REPLICA_OUTDATED, "a", 1), ResultCode.RESULT_INVALID_ARGUMENT,
                "'plain' has no mirror disk");
    }
}

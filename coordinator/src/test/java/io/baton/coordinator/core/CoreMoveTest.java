package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.move;
import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An operator's move (switchover), validated when applied. */
class CoreMoveTest {
    private final CoreFixture f = new CoreFixture();

    @Test
    void unknownGroupOrNodeIsNotFound() {
        f.allAlive();
        f.refused(move("nope", "server2"), ResultCode.RESULT_NOT_FOUND, "nope", "web, db, batch");
        f.refused(move("web", "ghost"), ResultCode.RESULT_NOT_FOUND, "ghost", "server1, server2, witness");
    }

    @Test
    void witnessOrNonMemberIsInvalid() {
        f.allAlive();
        f.refused(move("web", "witness"), ResultCode.RESULT_INVALID_ARGUMENT, "witness", "own no group");
        f.refused(move("batch", "server2"), ResultCode.RESULT_INVALID_ARGUMENT, "server2", "not a member", "batch");
    }

    @Test
    void downTargetIsAFailedPrecondition() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.liveness("server2", false));
        f.refused(move("web", "server2"), ResultCode.RESULT_FAILED_PRECONDITION, "server2", "down");
    }

    @Test
    void stoppedGroupIsAFailedPreconditionThatSaysHowToStartIt() {
        f.allAlive();
        f.ok(CoreFixture.stop("web"));
        f.refused(move("web", "server2"), ResultCode.RESULT_FAILED_PRECONDITION,
                "web", "stopped", "batonctl start web --on server2");
    }

    @Test
    void moveToTheCurrentOwnerChangesNothing() {
        f.webOnlineOnServer1();
        ClusterStateProto before = StateCodec.toProto(f.state);
        CommandResult r = f.ok(move("web", "server1"));
        assertEquals("web is already on server1", r.getMessage());
        assertEquals(1, r.getEpoch());
        assertEquals(before, StateCodec.toProto(f.state));
    }

    @Test
    void moveOfAnOfflineGroupGrantsAtOnce() {
        f.allAlive();
        CommandResult r = f.ok(move("web", "server2"));
        assertEquals("starting web on server2", r.getMessage());
        GroupState g = f.group("web");
        assertEquals("server2", g.owner);
        assertEquals(1, g.epoch);
        assertEquals(Phase.STARTING, g.phase);
        List<Event> events = f.state.events();
        assertEquals("move", events.get(events.size() - 2).getKind());
        assertEquals("granted", events.get(events.size() - 1).getKind());
        assertEquals("operator move", events.get(events.size() - 1).getMessage());
    }

    @Test
    void moveOfAnOwnedGroupAsksTheOwnerToRelease() {
        f.webOnlineOnServer1();
        CommandResult r = f.ok(move("web", "server2"));
        assertEquals("moving web from server1 to server2", r.getMessage());
        GroupState g = f.group("web");
        assertEquals("server1", g.owner, "the owner keeps the grant until it released");
        assertEquals(1, g.epoch);
        assertEquals(Phase.RELEASING, g.phase);
        assertEquals("server2", g.moveTarget);
        Event e = f.state.events().get(f.state.events().size() - 1);
        assertEquals("move", e.getKind());
        assertEquals("operator moves web to server2", e.getMessage());
    }

    @Test
    void moveToAFailedNodeClearsItsFailure() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server2", 0));
        f.beat("server2", report("web", 1, ActivityProto.ACTIVITY_FAILED));
        assertEquals(Phase.FAILED, f.group("web").phase);
        f.ok(move("web", "server2"));
        assertEquals("server2", f.group("web").owner);
        assertEquals(2, f.group("web").epoch);
        assertTrue(f.group("web").failedOn().isEmpty());
    }

    @Test
    void moveBackToAReleasingOwnerRegrantsItAfterTheRelease() {
        f.webOnlineOnServer1();
        f.ok(move("web", "server2"));
        f.ok(move("web", "server1"));
        assertEquals(Phase.RELEASING, f.group("web").phase);
        assertEquals("server1", f.group("web").moveTarget);
        f.beat("server1", CoreFixture.released("web", 1));
        assertEquals("server1", f.group("web").owner);
        assertEquals(2, f.group("web").epoch);
        assertNull(f.group("web").moveTarget);
        assertEquals(1, f.group("web").moves, "a move that ended in a grant to its target counts");
        assertEquals(0, f.group("web").takeovers);
    }
}

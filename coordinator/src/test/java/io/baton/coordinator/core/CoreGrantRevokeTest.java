package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.grant;
import static io.baton.coordinator.core.CoreFixture.revoke;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The controller's commands: Grant and Revoke, each carrying the epoch it was decided on and, for an
 * owned group, the owner's last heartbeat (incarnation, seq) it was decided on. Either having changed
 * by the time the command commits makes it stale; so does an operator's stop for a Grant.
 */
class CoreGrantRevokeTest {
    private final CoreFixture f = new CoreFixture();

    private Event lastEvent() {
        List<Event> events = f.state.events();
        return events.get(events.size() - 1);
    }

    @Test
    void grantGivesTheGroupWithTheNextEpoch() {
        f.allAlive();
        CommandResult r = f.ok(grant("web", "server1", 0));
        assertEquals(1, r.getEpoch());
        assertEquals("granted web to server1", r.getMessage());
        GroupState g = f.group("web");
        assertEquals("server1", g.owner);
        assertEquals(1, g.epoch);
        assertEquals(Phase.STARTING, g.phase);
        assertEquals("granted", lastEvent().getKind());
        assertEquals("test grant", lastEvent().getMessage());
        assertEquals(1, lastEvent().getEpoch());
        assertEquals(f.lastIndex(), lastEvent().getLogIndex());
    }

    @Test
    void grantTakesOverFromAnOwnerAtTheEpochAndHeartbeatItWasDecidedOn() {
        f.webOnlineOnServer1();
        assertEquals(0, f.group("web").takeovers, "the first grant took the group from nobody");
        f.ok(grant("web", "server2", 1, 1, f.node("server1").seq));
        assertEquals("server2", f.group("web").owner);
        assertEquals(2, f.group("web").epoch);
        assertEquals(Phase.STARTING, f.group("web").phase);
        assertEquals(1, f.group("web").takeovers);
        assertEquals(0, f.group("web").moves);
    }

    @Test
    void grantDecidedOnAnotherEpochIsStale() {
        f.allAlive();
        f.refused(grant("web", "server1", 3), ResultCode.RESULT_STALE, "epoch is 0, not 3");
        f.ok(grant("web", "server1", 0));
        f.refused(grant("web", "server2", 0), ResultCode.RESULT_STALE, "epoch is 1, not 0");
    }

    @Test
    void grantToAWitnessIsInvalid() {
        f.allAlive();
        f.refused(grant("web", "witness", 0), ResultCode.RESULT_INVALID_ARGUMENT, "witness");
    }

    @Test
    void grantToANonMemberIsInvalid() {
        f.allAlive();
        f.refused(grant("batch", "server2", 0), ResultCode.RESULT_INVALID_ARGUMENT, "server2", "batch", "server1");
    }

    @Test
    void grantOfUnknownGroupOrNodeIsNotFound() {
        f.allAlive();
        f.refused(grant("nope", "server1", 0), ResultCode.RESULT_NOT_FOUND, "nope", "web, db, batch");
        f.refused(grant("web", "ghost", 0), ResultCode.RESULT_NOT_FOUND, "ghost", "server1, server2, witness");
    }

    @Test
    void grantToADownNodeIsStale() {
        f.refused(grant("web", "server1", 0), ResultCode.RESULT_STALE, "server1", "down");
        f.allAlive();
        f.ok(CoreFixture.liveness("server2", false));
        f.refused(grant("web", "server2", 0), ResultCode.RESULT_STALE, "server2", "down");
    }

    @Test
    void revokeClearsTheOwnerAndKeepsTheEpoch() {
        f.webOnlineOnServer1();
        CommandResult r = f.ok(revoke("web", 1, 1, f.node("server1").seq));
        assertEquals("revoked web", r.getMessage());
        GroupState g = f.group("web");
        assertNull(g.owner);
        assertNull(g.moveTarget);
        assertEquals(Phase.OFFLINE, g.phase);
        assertEquals(1, g.epoch);
        assertEquals("revoked", lastEvent().getKind());
        assertEquals("server1", lastEvent().getNode());
        assertEquals("test revoke", lastEvent().getMessage());
    }

    @Test
    void revokeOfAReleasingGroupForgetsTheMoveTarget() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.move("web", "server2"));
        f.ok(f.decidedRevoke("web"));
        assertNull(f.group("web").moveTarget);
        assertEquals(Phase.OFFLINE, f.group("web").phase);
    }

    @Test
    void revokeOfAnUnownedGroupNamesNoNode() {
        f.ok(revoke("web", 0));
        assertEquals("", lastEvent().getNode());
    }

    @Test
    void staleOrUnknownRevokeIsRefused() {
        f.webOnlineOnServer1();
        f.refused(revoke("web", 0), ResultCode.RESULT_STALE, "epoch is 1, not 0");
        f.refused(revoke("nope", 0), ResultCode.RESULT_NOT_FOUND, "nope");
    }

    // ---- a decision stands only while the owner sent no newer heartbeat ----

    @Test
    void takeoverIsStaleWhenTheOwnersSeqChangedSinceTheDecision() {
        f.webOnlineOnServer1();
        var takeover = f.decidedGrant("web", "server2");
        f.beat("server1");
        f.refused(takeover, ResultCode.RESULT_STALE, "server1", "heartbeat");
        assertEquals("server1", f.group("web").owner);
        assertEquals(1, f.group("web").epoch);
        assertEquals(Phase.ONLINE, f.group("web").phase);
        f.ok(f.decidedGrant("web", "server2"));
        assertEquals("server2", f.group("web").owner);
    }

    @Test
    void takeoverIsStaleWhenTheOwnerRestartedSinceTheDecision() {
        f.webOnlineOnServer1();
        var takeover = f.decidedGrant("web", "server2");
        f.ok(CoreFixture.heartbeat("server1", 2, 1)); // a new incarnation starts its seq again
        f.refused(takeover, ResultCode.RESULT_STALE, "server1");
        assertEquals("server1", f.group("web").owner);
    }

    @Test
    void revokeIsStaleWhenTheOwnersSeqChangedSinceTheDecision() {
        f.webOnlineOnServer1();
        var revoke = f.decidedRevoke("web");
        f.beat("server1");
        f.refused(revoke, ResultCode.RESULT_STALE, "server1", "heartbeat");
        assertEquals("server1", f.group("web").owner);
        assertEquals(Phase.ONLINE, f.group("web").phase);
        f.ok(f.decidedRevoke("web"));
        assertNull(f.group("web").owner);
    }

    @Test
    void aDecisionNamingNoOwnerHeartbeatIsStaleForAnOwnedGroup() {
        f.webOnlineOnServer1();
        f.refused(grant("web", "server2", 1), ResultCode.RESULT_STALE, "server1");
        f.refused(revoke("web", 1), ResultCode.RESULT_STALE, "server1");
    }

    @Test
    void anotherNodesHeartbeatLeavesTheDecisionStanding() {
        f.webOnlineOnServer1();
        var takeover = f.decidedGrant("web", "server2");
        f.beat("server2");
        f.beat("witness");
        f.ok(takeover);
        assertEquals("server2", f.group("web").owner);
    }

    /**
     * A late copy of an older heartbeat changes nothing but liveness: it was sent before the heartbeat
     * the decision saw, so the lease it confirms ran out before the decision too.
     */
    @Test
    void aLateCopyOfAnOlderOwnerHeartbeatLeavesTheDecisionStanding() {
        f.webOnlineOnServer1();
        long seq = f.node("server1").seq;
        var takeover = f.decidedGrant("web", "server2");
        f.ok(CoreFixture.heartbeat("server1", 1, seq));
        f.ok(CoreFixture.heartbeat("server1", 1, seq - 1));
        assertEquals(seq, f.node("server1").seq);
        f.ok(takeover);
        assertEquals("server2", f.group("web").owner);
    }

    // ---- an operator's stop wins over a Grant ----

    @Test
    void grantOfAStoppedGroupIsStale() {
        f.allAlive();
        f.ok(CoreFixture.stop("web"));
        f.refused(grant("web", "server1", 0), ResultCode.RESULT_STALE, "web", "stopped");
        f.ok(CoreFixture.start("web", ""));
        f.ok(grant("web", "server1", 0));
    }

    @Test
    void takeoverOfAStoppingGroupIsStaleButItsRevokeStands() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.stop("web"));
        f.refused(f.decidedGrant("web", "server2"), ResultCode.RESULT_STALE, "web", "stopped");
        assertEquals(Phase.RELEASING, f.group("web").phase);
        f.ok(f.decidedRevoke("web"));
        assertNull(f.group("web").owner);
        assertEquals(Phase.OFFLINE, f.group("web").phase);
        assertTrue(f.group("web").adminStopped);
    }
}

package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.Incarnate;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The leader's side of heartbeat reads against its own takeover decisions: a read and a decision to
 * take a group from the reading owner are ordered, as a committed heartbeat and a Grant are in the log.
 * Decisions come from the real {@link Controller}, answers from the real {@link Core}.
 */
class LeaseConfirmationsTest {
    static final long MS = 1_000_000L;
    static final Timing TIMING = ControllerTest.TIMING;
    static final long T0 = 1_000_000 * MS;

    private final CoreFixture f = new CoreFixture();
    private final Controller controller = new Controller(CoreFixture.TOPOLOGY, TIMING);
    private final LeaseConfirmations confirmations = new LeaseConfirmations();
    private long seq;

    /** Incarnation 1 for every node, web ONLINE on server1, db stopped; the leader led from long before T0. */
    private void started() {
        for (String n : List.of("server1", "server2", "witness")) {
            f.ok(Command.newBuilder().setIncarnate(Incarnate.newBuilder().setNode(n).setBoot(7)).build());
            f.ok(beat(n));
        }
        f.ok(CoreFixture.stop("db"));
        f.ok(CoreFixture.grant("web", "server1", f.group("web").epoch));
        f.ok(beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE)));
    }

    private Command beat(String node, io.baton.proto.GroupReport... reports) {
        return CoreFixture.heartbeat(node, 1, ++seq, reports).toBuilder().setProposer(node).build();
    }

    private Command server1Beat() {
        return beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE));
    }

    /** server1's heartbeat as a read at {@code now}, as BatonStateMachine answers it on the ready leader. */
    private ResultCode read(Command hb, long now) {
        var r = f.core.confirm(f.state, hb, f.index());
        if (r.getCode() != ResultCode.RESULT_OK) {
            return r.getCode();
        }
        NodeState n = f.node(hb.getHeartbeat().getNode());
        return confirmations.confirmRead(n.id, n.incarnation, n.seq, now) ? ResultCode.RESULT_OK : ResultCode.RESULT_WRITE_NEEDED;
    }

    /** What the leader proposes at {@code now}: the controller's decisions through {@link LeaseConfirmations#admit}. */
    private List<Command> decide(long now) {
        Liveness liveness = confirmations.liveness(T0 - 60_000 * MS);
        return confirmations.admit(f.state, controller.decide(f.state, liveness, now), liveness);
    }

    private static List<Command> grantsOf(List<Command> commands) {
        return commands.stream().filter(Command::hasGrant).toList();
    }

    @Test
    void readsKeepTheOwnerConfirmed() {
        started();
        confirmations.heard("server2", T0);
        assertEquals(ResultCode.RESULT_OK, read(server1Beat(), T0));
        long now = T0 + TIMING.takeoverAfterNanos() - MS;
        confirmations.heard("server2", now);
        assertEquals(ResultCode.RESULT_OK, read(server1Beat(), now - 2 * MS));
        assertTrue(grantsOf(decide(now)).isEmpty(), "heard by a read a moment ago: no takeover");
    }

    /**
     * server1 went silent at T0 (paused); a takeover period later the leader decides Grant(web →
     * server2). server1 resumes and its next heartbeat, saying what its last committed one said, comes
     * as a read before the Grant commits. Confirmed, it would renew server1's lease from a fresh send
     * time while the Grant hands web to server2 (the Grant's check sees no newer committed heartbeat):
     * two owners. The decision closed server1's reads: it must commit its heartbeat, which makes the
     * Grant stale, and from then on its reads are confirmed again.
     */
    @Test
    void aReadAfterATakeoverDecisionMustBeCommitted() {
        started();
        confirmations.heard("server1", T0);
        long now = T0 + TIMING.takeoverAfterNanos();
        confirmations.heard("server2", now - 10 * MS);
        List<Command> grants = grantsOf(decide(now));
        assertEquals(1, grants.size(), "takeover decided");
        Command takeover = grants.get(0);
        assertEquals("server2", takeover.getGrant().getNode());
        assertTrue(confirmations.readsClosed("server1"));

        assertEquals(ResultCode.RESULT_WRITE_NEEDED, read(server1Beat(), now + MS), "the owner's read is refused");

        f.ok(server1Beat()); // so server1 commits it
        f.refused(takeover, ResultCode.RESULT_STALE, "server1", "heartbeat");
        assertEquals("server1", f.group("web").owner);
        assertEquals(ResultCode.RESULT_OK, read(server1Beat(), now + 2 * MS), "reads confirmed again");
        assertFalse(confirmations.readsClosed("server1"));
    }

    /** When the Grant commits first, server1's reads stay closed and then no longer name web. */
    @Test
    void aReadAfterTheTakeoverCommittedHoldsNothing() {
        started();
        confirmations.heard("server1", T0);
        long now = T0 + TIMING.takeoverAfterNanos();
        confirmations.heard("server2", now - 10 * MS);
        f.ok(grantsOf(decide(now)).get(0));
        assertEquals("server2", f.group("web").owner);
        assertEquals(ResultCode.RESULT_WRITE_NEEDED, read(server1Beat(), now + MS));
        var written = f.ok(server1Beat());
        assertTrue(written.getHeldList().isEmpty(), "the committed heartbeat holds nothing");
    }

    /** A read confirmed between the decision and its proposal: the decision is dropped, not proposed. */
    @Test
    void aDecisionOvertakenByAReadIsDropped() {
        started();
        confirmations.heard("server1", T0);
        long now = T0 + TIMING.takeoverAfterNanos();
        confirmations.heard("server2", now - 10 * MS);
        Liveness liveness = confirmations.liveness(T0 - 60_000 * MS);
        List<Command> decided = controller.decide(f.state, liveness, now);
        assertEquals(1, grantsOf(decided).size());
        assertEquals(ResultCode.RESULT_OK, read(server1Beat(), now));
        assertTrue(grantsOf(confirmations.admit(f.state, decided, liveness)).isEmpty());
        assertFalse(confirmations.readsClosed("server1"));
    }

    @Test
    void decisionsThatTakeFromNoOwnerPassUnchanged() {
        started();
        Command firstGrant = CoreFixture.grant("batch", "server1", 0);
        Command down = CoreFixture.liveness("server2", false);
        Liveness liveness = confirmations.liveness(T0);
        assertEquals(List.of(firstGrant, down), confirmations.admit(f.state, List.of(firstGrant, down), liveness));
    }
}

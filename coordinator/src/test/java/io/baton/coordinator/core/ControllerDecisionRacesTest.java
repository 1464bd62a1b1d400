package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.agent.AgentRules;
import io.baton.coordinator.agent.OwnerLease;
import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.ResultCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regressions of two races the simulation found (seeds 8, 54, 145 and 9, 59, 94, see SimulationTest),
 * fixed in Core: a controller decision commits a few entries after the state it was decided on, and
 * used to be validated only by its expected epoch, which some commands in between do not change. Now a
 * Grant or Revoke also names the owner's last heartbeat (incarnation, seq) it relied on, and a Grant
 * of a stopped group is refused: each race's decision is refused as stale and changes nothing.
 * Every decision here comes from the real {@link Controller}.
 */
class ControllerDecisionRacesTest {
    static final long MS = 1_000_000L;
    static final Timing TIMING = ControllerTest.TIMING;
    static final long STOP_BUDGET = 1_000 * MS;
    static final long T0 = 1_000_000 * MS;

    private final CoreFixture f = new CoreFixture();
    private final Controller controller = new Controller(CoreFixture.TOPOLOGY, TIMING);

    /** The controller's command about {@code group}, deciding at {@code now} on the current state. */
    private Command decide(String group, Map<String, Long> heard, long now) {
        List<Command> commands = controller.decide(f.state, new Liveness(T0 - 60_000 * MS, heard), now);
        return commands.stream()
                .filter(c -> (c.hasGrant() && c.getGrant().getGroup().equals(group))
                        || (c.hasRevoke() && c.getRevoke().getGroup().equals(group)))
                .findFirst().orElseThrow(() -> new AssertionError("no decision about " + group + ": " + commands));
    }

    /**
     * The takeover race. server1 owns web (epoch 1) and was cut off; the leader last heard it at T0 and,
     * a takeover period later, decides Grant(web → server2, expected epoch 1). But server1 reconnected
     * just before: its heartbeat was appended ahead of the Grant and commits first. Its result confirms
     * web@1 to server1 from the heartbeat's fresh send time. The Grant, still expecting epoch 1, used to
     * be accepted, leaving server1 and server2 both entitled to run web; now it is stale.
     */
    @Test
    void takeoverDecidedBeforeOwnerHeartbeatIsRefused() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.stop("db"));
        long now = T0 + TIMING.takeoverAfterNanos();
        Command takeover = decide("web", Map.of("server1", T0, "server2", now - 10 * MS), now);
        assertEquals("server2", takeover.getGrant().getNode());

        long server1SentAt = 77_000 * MS; // server1's own clock
        CommandResult beat = f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE));
        OwnerLease server1Lease = new OwnerLease(TIMING.leaseNanos(), STOP_BUDGET);
        server1Lease.confirmed(server1SentAt, beat.getHeldList());

        f.refused(takeover, ResultCode.RESULT_STALE, "server1", "heartbeat");
        assertEquals("server1", f.group("web").owner);
        assertEquals(1, f.group("web").epoch);
        assertEquals(Phase.ONLINE, f.group("web").phase);

        long server2SentAt = 5_000 * MS;
        OwnerLease server2Lease = new OwnerLease(TIMING.leaseNanos(), STOP_BUDGET);
        server2Lease.confirmed(server2SentAt, f.beat("server2").getHeldList());
        assertTrue(AgentRules.shouldBeActive("server1", f.group("web"), server1Lease, AgentRules.Memory.NONE,
                server1SentAt + 10 * MS), "server1 keeps web on its renewed lease");
        assertFalse(AgentRules.shouldBeActive("server2", f.group("web"), server2Lease, AgentRules.Memory.NONE,
                server2SentAt + 10 * MS), "server2 got nothing");
    }

    /**
     * The same race with a Revoke (server2 down, so nobody can take over): it used to clear the owner
     * although server1's heartbeat had just renewed its lease; now it is stale and server1 keeps web.
     */
    @Test
    void revokeDecidedBeforeOwnerHeartbeatIsRefused() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.stop("db"));
        f.ok(CoreFixture.liveness("server2", false));
        long now = T0 + TIMING.takeoverAfterNanos();
        Command revoke = decide("web", Map.of("server1", T0), now);
        assertTrue(revoke.hasRevoke(), revoke::toString);

        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE));
        f.refused(revoke, ResultCode.RESULT_STALE, "server1", "heartbeat");
        assertEquals("server1", f.group("web").owner);
        assertEquals(Phase.ONLINE, f.group("web").phase);
    }

    /**
     * The lost stop, automatic start. The controller decides Grant(web → server1) for an offline
     * group; an operator's Stop commits first ("web stopped"), without changing the epoch. The Grant
     * used to start the stopped group; now the stop wins.
     */
    @Test
    void automaticStartDecidedBeforeStopIsRefused() {
        f.allAlive();
        Command start = decide("web", Map.of("server1", T0, "server2", T0), T0 + 10 * MS);
        assertEquals("server1", start.getGrant().getNode());
        assertEquals("web stopped", f.ok(CoreFixture.stop("web")).getMessage());
        f.refused(start, ResultCode.RESULT_STALE, "web", "stopped");
        assertNull(f.group("web").owner);
        assertTrue(f.group("web").adminStopped);
        assertEquals(Phase.OFFLINE, f.group("web").phase);
    }

    /**
     * The lost stop, takeover: a takeover Grant decided before a Stop of the group used to hand the
     * stopping group to server2 and start it there. Now it is stale, and the controller's next decision
     * on the stopped group is a Revoke, which stands.
     */
    @Test
    void takeoverDecidedBeforeStopIsRefusedAndTheGroupIsRevokedInstead() {
        f.webOnlineOnServer1();
        long now = T0 + TIMING.takeoverAfterNanos();
        Map<String, Long> heard = Map.of("server1", T0, "server2", now - 10 * MS);
        Command takeover = decide("web", heard, now);
        assertEquals("server2", takeover.getGrant().getNode());
        assertEquals("stopping web on server1", f.ok(CoreFixture.stop("web")).getMessage());
        f.refused(takeover, ResultCode.RESULT_STALE, "web", "stopped");
        assertEquals("server1", f.group("web").owner);
        assertEquals(Phase.RELEASING, f.group("web").phase);

        Command revoke = decide("web", heard, now + 50 * MS);
        assertTrue(revoke.hasRevoke(), revoke::toString);
        f.ok(revoke);
        assertNull(f.group("web").owner);
        assertTrue(f.group("web").adminStopped);
    }
}

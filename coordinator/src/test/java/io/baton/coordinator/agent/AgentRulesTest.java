package io.baton.coordinator.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.agent.AgentRules.Memory;
import io.baton.coordinator.core.CoreFixture;
import io.baton.coordinator.core.GroupState;
import io.baton.proto.HeldGrant;
import io.baton.proto.PhaseProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentRulesTest {
    static final long MS = 1_000_000L;
    static final long NOW = 50_000 * MS;

    private final CoreFixture f = new CoreFixture();
    private final OwnerLease lease = new OwnerLease(3_000 * MS, 1_000 * MS);

    /** web granted to server1 at epoch 1 (STARTING), and server1's lease confirms what the state says. */
    private GroupState webOnServer1() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        confirm(1, PhaseProto.PHASE_STARTING);
        return f.group("web");
    }

    private void confirm(long epoch, PhaseProto phase) {
        lease.confirmed(NOW - 100 * MS, List.of(HeldGrant.newBuilder().setGroup("web").setEpoch(epoch).setPhase(phase).build()));
    }

    private boolean active(String node, GroupState g, Memory memory) {
        return AgentRules.shouldBeActive(node, g, lease, memory, NOW);
    }

    @Test
    void ownerWithAConfirmedGrantOfTheSameEpochIsActive() {
        GroupState g = webOnServer1();
        assertTrue(active("server1", g, Memory.NONE));
        f.beat("server1", CoreFixture.report("web", 1, io.baton.proto.ActivityProto.ACTIVITY_ACTIVE));
        confirm(1, PhaseProto.PHASE_ONLINE);
        assertTrue(active("server1", f.group("web"), Memory.NONE));
    }

    @Test
    void neverWithoutALiveLease() {
        GroupState g = webOnServer1();
        assertFalse(AgentRules.shouldBeActive("server1", g, lease, Memory.NONE, lease.fenceAtNanos()));
        assertFalse(AgentRules.shouldBeActive("server1", g, new OwnerLease(3_000 * MS, 1_000 * MS), Memory.NONE, NOW));
    }

    @Test
    void epochsMustMatchInTheLocalStateAndTheConfirmedGrant() {
        GroupState g = webOnServer1();
        confirm(2, PhaseProto.PHASE_STARTING);
        assertFalse(active("server1", g, Memory.NONE), "the lease confirms a newer epoch than the replica shows");
        f.ok(f.decidedRevoke("web"));
        f.ok(CoreFixture.grant("web", "server1", 1));
        confirm(1, PhaseProto.PHASE_STARTING);
        assertFalse(active("server1", f.group("web"), Memory.NONE), "the lease confirms an older epoch");
        lease.confirmed(NOW, List.of());
        assertFalse(active("server1", f.group("web"), Memory.NONE), "the lease confirms no grant of the group");
    }

    @Test
    void notWhileReleasingInEitherView() {
        GroupState g = webOnServer1();
        confirm(1, PhaseProto.PHASE_RELEASING);
        assertFalse(active("server1", g, Memory.NONE), "confirmed grant is releasing");
        confirm(1, PhaseProto.PHASE_ONLINE);
        f.ok(CoreFixture.stop("web"));
        assertFalse(active("server1", f.group("web"), Memory.NONE), "local state is releasing");
    }

    @Test
    void notForANonOwnerOrAMissingGroup() {
        GroupState g = webOnServer1();
        assertFalse(active("server2", g, Memory.NONE));
        assertFalse(active("server1", null, Memory.NONE));
        assertFalse(active("server1", f.group("db"), Memory.NONE));
    }

    @Test
    void neverAnEpochItFailedOrReleased() {
        GroupState g = webOnServer1();
        assertFalse(active("server1", g, new Memory(1, -1)));
        assertFalse(active("server1", g, new Memory(-1, 1)));
        assertFalse(active("server1", g, new Memory(-1, 2)), "nor any epoch up to the released one");
        assertTrue(active("server1", g, new Memory(0, 0)), "older memories do not matter");
    }

    @Test
    void releasableOnlyForTheOwnerOfAReleasingGroupWithNothingActive() {
        GroupState g = webOnServer1();
        assertEquals(-1, AgentRules.releasable("server1", g, false), "not releasing");
        f.ok(CoreFixture.move("web", "server2"));
        assertEquals(1, AgentRules.releasable("server1", f.group("web"), false));
        assertEquals(-1, AgentRules.releasable("server1", f.group("web"), true), "still active");
        assertEquals(-1, AgentRules.releasable("server2", f.group("web"), false), "not the owner");
        assertEquals(-1, AgentRules.releasable("server1", null, false));
    }
}

package io.baton.coordinator.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.HeldGrant;
import io.baton.proto.PhaseProto;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OwnerLeaseTest {
    static final long MS = 1_000_000L;
    static final long LEASE = 3_000 * MS;
    static final long BUDGET = 1_000 * MS;

    private final OwnerLease lease = new OwnerLease(LEASE, BUDGET);

    static HeldGrant held(String group, long epoch) {
        return HeldGrant.newBuilder().setGroup(group).setEpoch(epoch).setPhase(PhaseProto.PHASE_ONLINE).build();
    }

    @Test
    void noLeaseBeforeTheFirstConfirmation() {
        assertFalse(lease.live(0));
        assertFalse(lease.live(Long.MAX_VALUE));
        assertEquals(Long.MIN_VALUE, lease.fenceAtNanos());
        assertEquals(Optional.empty(), lease.held("web", 0));
    }

    @Test
    void remainingCountsToTheLeaseEndForAHeldGroupWhileLive() {
        lease.confirmed(1_000 * MS, List.of(held("web", 4)));
        assertEquals(java.util.OptionalLong.of(2_500 * MS), lease.remainingNanos("web", 1_500 * MS));
        assertEquals(java.util.OptionalLong.empty(), lease.remainingNanos("db", 1_500 * MS));
        // Past the fence point the lease no longer allows anything: nothing is left to show.
        assertEquals(java.util.OptionalLong.empty(), lease.remainingNanos("web", 3_000 * MS));
    }

    @Test
    void leaseEndsAtSendTimePlusLeaseMinusStopBudget() {
        long send = -5_000 * MS; // monotonic clocks may be negative
        lease.confirmed(send, List.of(held("web", 4)));
        long fence = send + LEASE - BUDGET;
        assertEquals(fence, lease.fenceAtNanos());
        assertTrue(lease.live(send));
        assertTrue(lease.live(fence - 1));
        assertFalse(lease.live(fence));
        assertEquals(Optional.of(held("web", 4)), lease.held("web", fence - 1));
        assertEquals(Optional.empty(), lease.held("web", fence));
        assertEquals(Optional.empty(), lease.held("db", send));
    }

    @Test
    void olderConfirmationsAreIgnored() {
        lease.confirmed(10 * MS, List.of(held("web", 2)));
        lease.confirmed(9 * MS, List.of(held("web", 1), held("db", 1)));
        assertEquals(10 * MS + LEASE - BUDGET, lease.fenceAtNanos());
        assertEquals(Optional.of(held("web", 2)), lease.held("web", 10 * MS));
        assertEquals(Optional.empty(), lease.held("db", 10 * MS));
    }

    @Test
    void aNewerConfirmationReplacesTheHeldGrants() {
        lease.confirmed(10 * MS, List.of(held("web", 2)));
        lease.confirmed(20 * MS, List.of(held("db", 1)));
        assertEquals(Optional.empty(), lease.held("web", 20 * MS), "a grant no longer held is not confirmed");
        assertEquals(Optional.of(held("db", 1)), lease.held("db", 20 * MS));
        lease.confirmed(20 * MS, List.of());
        assertEquals(Optional.empty(), lease.held("db", 20 * MS), "the same send time counts as newer");
        assertTrue(lease.live(20 * MS), "a node holding nothing still has a lease");
    }

    @Test
    void clearForgetsEverything() {
        lease.confirmed(10 * MS, List.of(held("web", 2)));
        lease.clear();
        assertFalse(lease.live(10 * MS));
        assertEquals(Long.MIN_VALUE, lease.fenceAtNanos());
        lease.confirmed(1 * MS, List.of(held("web", 3)));
        assertEquals(Optional.of(held("web", 3)), lease.held("web", 1 * MS), "after clear, any confirmation counts");
    }

    @Test
    void stopBudgetMustBeShorterThanTheLease() {
        assertThrows(IllegalArgumentException.class, () -> new OwnerLease(LEASE, LEASE));
    }
}

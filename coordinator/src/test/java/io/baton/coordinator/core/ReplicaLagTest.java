package io.baton.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.core.ReplicaLag.Change;
import io.baton.coordinator.core.ReplicaLag.Observed;
import io.baton.coordinator.core.ReplicaLag.State;
import org.junit.jupiter.api.Test;

class ReplicaLagTest {

    @Test
    void fourLaggingHeartbeatsInARowMakeANodeBehind() {
        State s = State.NONE;
        for (int i = 1; i <= 3; i++) {
            Observed o = ReplicaLag.observe(s, 2355, 2400 + 10L * i);
            assertEquals(Change.NONE, o.change(), "heartbeat " + i);
            assertFalse(o.state().behind());
            s = o.state();
        }
        Observed fourth = ReplicaLag.observe(s, 2355, 2440);
        assertEquals(Change.BEHIND, fourth.change());
        assertTrue(fourth.state().behind());
        assertEquals(85, fourth.state().lag());
        // Still behind: no second event.
        assertEquals(Change.NONE, ReplicaLag.observe(fourth.state(), 2355, 2450).change());
    }

    @Test
    void aHeartbeatWithinTheBoundStartsTheCountAgain() {
        State s = State.NONE;
        s = ReplicaLag.observe(s, 100, 200).state();
        s = ReplicaLag.observe(s, 100, 210).state();
        s = ReplicaLag.observe(s, 100, 220).state();
        s = ReplicaLag.observe(s, 215, 222).state();
        assertEquals(0, s.laggingInARow());
        assertEquals(Change.NONE, ReplicaLag.observe(s, 100, 300).change());
    }

    @Test
    void exactlyTheBoundIsNotLagging() {
        State s = new State(3, false, 60);
        assertEquals(Change.NONE, ReplicaLag.observe(s, 100, 100 + ReplicaLag.BEHIND_ENTRIES).change());
    }

    @Test
    void aBehindNodeCatchesUpWithOneHeartbeatWithinTheBound() {
        Observed o = ReplicaLag.observe(new State(9, true, 900), 5000, 5003);
        assertEquals(Change.CAUGHT_UP, o.change());
        assertEquals(new State(0, false, 3), o.state());
    }

    @Test
    void aHeartbeatWithoutAnAppliedIndexChangesNothing() {
        State s = new State(2, false, 70);
        Observed o = ReplicaLag.observe(s, 0, 9000);
        assertEquals(Change.NONE, o.change());
        assertEquals(s, o.state());
    }
}

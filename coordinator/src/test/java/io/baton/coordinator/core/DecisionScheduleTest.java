package io.baton.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** When the leader decides next, from the controller's next instant and the inputs' wakes. */
class DecisionScheduleTest {
    private static final long MS = 1_000_000L;
    private final DecisionSchedule schedule = new DecisionSchedule(50 * MS);

    @Test
    void theControllersInstantIsMetExactly_atMostASecondAway_neverAtOnce() {
        assertEquals(1_300 * MS, schedule.afterDecision(1_000 * MS, 1_300 * MS), "a lease running out: then, not a tick later");
        assertEquals(2_000 * MS, schedule.afterDecision(1_000 * MS, Long.MAX_VALUE), "nothing ahead: a second later");
        assertEquals(1_000 * MS + DecisionSchedule.MIN_SLEEP_NANOS, schedule.afterDecision(1_000 * MS, 1_000 * MS + 1),
                "never a spin");
    }

    @Test
    void anInputIsDecidedOnAtOnce_butABurstAtMostOncePerGap() {
        assertEquals(1_000 * MS, schedule.afterInput(1_000 * MS, 900 * MS), "the last decision was 100 ms ago: now");
        assertEquals(1_030 * MS, schedule.afterInput(1_000 * MS, 980 * MS), "20 ms ago: 50 ms after it");
    }
}

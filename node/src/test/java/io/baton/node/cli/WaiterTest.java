package io.baton.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.node.cli.Waiter.Kind;
import io.baton.node.cli.Waiter.Outcome;
import io.baton.node.cli.Waiter.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WaiterTest {
    private long now = 1_000;
    private final List<Long> sleeps = new ArrayList<>();
    private final Waiter waiter = new Waiter(() -> now, nanos -> {
        sleeps.add(nanos);
        now += nanos;
    }, Duration.ofMillis(50));

    @Test
    void pollsUntilDone() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        Outcome<Integer> outcome = waiter.await(polls::incrementAndGet,
                n -> n >= 3 ? Verdict.done("three") : Verdict.waiting("at " + n), Duration.ofSeconds(1));
        assertEquals(Kind.DONE, outcome.verdict().kind());
        assertEquals(3, outcome.last());
        assertEquals(3, outcome.polls());
        assertEquals(List.of(50_000_000L, 50_000_000L), sleeps);
        assertEquals(100_000_000L, outcome.elapsedNanos());
    }

    @Test
    void stopsAtFailure() throws Exception {
        Outcome<String> outcome = waiter.await(() -> "x", s -> Verdict.failed("broken"), Duration.ofSeconds(1));
        assertEquals(Verdict.failed("broken"), outcome.verdict());
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void timesOutWithTheLastVerdictAndNeverSleepsPastTheLimit() throws Exception {
        Outcome<String> outcome = waiter.await(() -> "x", s -> Verdict.waiting("still x"), Duration.ofMillis(120));
        assertTrue(outcome.timedOut());
        assertEquals("still x", outcome.verdict().text());
        assertEquals(List.of(50_000_000L, 50_000_000L, 20_000_000L), sleeps);
        assertEquals(4, outcome.polls());
        assertEquals(120_000_000L, outcome.elapsedNanos());
    }
}

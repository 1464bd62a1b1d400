package io.baton.node.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.node.config.AlertConfig;
import io.baton.proto.Event;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The dispatcher's policy, one {@code step} at a time, with a fake cluster, fake senders and a number for the time. */
class AlertDispatcherTest {
    static final long S = TimeUnit.SECONDS.toNanos(1);

    /** A replicated event list, a committed cursor and a leadership, as the test sets them. */
    static final class FakeCluster implements AlertDispatcher.Cluster {
        final List<Event> events = new ArrayList<>();
        long term = -1;
        long committed;
        final List<Long> proposed = new ArrayList<>();

        void add(String kind, String node) {
            long seq = events.isEmpty() ? 1 : events.get(events.size() - 1).getSeq() + 1;
            events.add(Event.newBuilder().setSeq(seq).setKind(kind).setGroup("web").setNode(node).build());
        }

        @Override
        public long leaderTerm() {
            return term;
        }

        @Override
        public long deliveredThrough() {
            return committed;
        }

        @Override
        public List<Event> eventsAfter(long seq, int max) {
            return events.stream().filter(e -> e.getSeq() > seq).limit(max).toList();
        }

        @Override
        public void commitDelivered(long seq) {
            proposed.add(seq);
            committed = seq; // as if committed at once
        }
    }

    final FakeCluster cluster = new FakeCluster();
    final List<String> sent = new ArrayList<>();
    int failuresLeft;
    final AlertConfig all = new AlertConfig(AlertConfig.Type.EXEC, "mail", null, Set.of(), Duration.ofSeconds(10));
    final AlertConfig grants = new AlertConfig(AlertConfig.Type.WEBHOOK, null, URI.create("http://chat/hook"),
            Set.of("granted"), Duration.ofSeconds(5));
    final AlertDispatcher d = new AlertDispatcher(List.of(all, grants), cluster, (alert, e) -> {
        if (failuresLeft > 0) {
            failuresLeft--;
            throw new IOException("refused");
        }
        sent.add(alert.target() + " " + e.getSeq() + " " + e.getKind());
        return true;
    }, () -> 0);

    /** Runs steps at time {@code now} until the dispatcher asks to wait. */
    long drain(long now) {
        for (int i = 0; i < 100; i++) {
            long wait = d.step(now);
            if (wait > 0) {
                return wait;
            }
        }
        throw new AssertionError("never waits");
    }

    @Test
    void aFollowerDeliversNothing() {
        cluster.add("granted", "server1");
        drain(0);
        assertEquals(List.of(), sent);
        assertEquals(List.of(), cluster.proposed);
    }

    @Test
    void theLeaderDeliversInOrderToTheAlertsThatWantEachKindThenCommitsTheCursor() {
        cluster.add("node-up", "server1");
        cluster.add("granted", "server1");
        cluster.add("online", "server1");
        cluster.term = 3;
        drain(0);
        assertEquals(List.of("mail 1 node-up", "mail 2 granted", "http://chat/hook 2 granted", "mail 3 online"), sent);
        assertEquals(List.of(3L), cluster.proposed);
        cluster.add("move", "server2");
        drain(S);
        assertEquals("mail 4 move", sent.get(sent.size() - 1));
        assertEquals(List.of(3L, 4L), cluster.proposed);
    }

    @Test
    void itStartsAfterTheCommittedCursor() {
        cluster.add("granted", "server1");
        cluster.add("granted", "server2");
        cluster.committed = 1;
        cluster.term = 5;
        drain(0);
        assertEquals(List.of("mail 2 granted", "http://chat/hook 2 granted"), sent);
    }

    @Test
    void aFailedDeliveryIsRetriedWithBackoffThenGivenUp() {
        cluster.add("failover", "server1");
        cluster.add("online", "server2");
        cluster.term = 1;
        failuresLeft = 2;
        assertEquals(S, drain(0), "first retry after 1 s");
        assertEquals(List.of(), sent);
        assertEquals(List.of(), cluster.proposed, "nothing delivered yet: the cursor stays");
        assertEquals(2 * S, drain(S), "second retry after 2 s more");
        drain(3 * S);
        assertEquals(List.of("mail 1 failover", "mail 2 online"), sent);

        cluster.add("failed", "server2");
        failuresLeft = AlertDispatcher.ATTEMPTS;
        long now = 10 * S;
        for (int i = 0; i < AlertDispatcher.ATTEMPTS; i++) {
            now += drain(now);
        }
        cluster.add("online", "server1");
        drain(now);
        assertEquals("mail 4 online", sent.get(sent.size() - 1), "given up after " + AlertDispatcher.ATTEMPTS + " attempts, on to the next");
        assertEquals(4L, cluster.proposed.get(cluster.proposed.size() - 1));
    }

    @Test
    void aNewLeaderRedeliversWhatTheOldOneDidNotCommit() {
        cluster.add("granted", "server1");
        cluster.term = 1;
        drain(0);
        assertEquals(List.of(1L), cluster.proposed);
        // The old leader delivers event 2 but dies before its cursor commits.
        cluster.add("granted", "server2");
        AlertDispatcher.Cluster lossy = new AlertDispatcher.Cluster() {
            @Override
            public long leaderTerm() {
                return cluster.leaderTerm();
            }

            @Override
            public long deliveredThrough() {
                return cluster.deliveredThrough();
            }

            @Override
            public List<Event> eventsAfter(long seq, int max) {
                return cluster.eventsAfter(seq, max);
            }

            @Override
            public void commitDelivered(long seq) {
                // lost with the leader
            }
        };
        List<String> old = new ArrayList<>();
        AlertDispatcher dying = new AlertDispatcher(List.of(all), lossy, (a, e) -> old.add(e.getSeq() + " " + e.getKind()), () -> 0);
        dying.step(0);
        dying.step(0);
        assertEquals(List.of("2 granted"), old, "the dying leader delivered event 2; its cursor never committed");
        assertEquals(1, cluster.committed);
        // The next leader (another term) starts after the committed cursor, 1: event 2 again, same id.
        cluster.term = 2;
        sent.clear();
        drain(S);
        assertEquals(List.of("mail 2 granted", "http://chat/hook 2 granted"), sent);
    }

    @Test
    void eventsTheStateNoLongerKeepsAreSkipped() {
        cluster.add("granted", "server1");
        cluster.add("online", "server1");
        cluster.add("move", "server2");
        cluster.events.remove(0);
        cluster.events.remove(0); // only event 3 is still kept
        cluster.term = 1;
        drain(0);
        assertEquals(List.of("mail 3 move"), sent);
        assertTrue(cluster.proposed.contains(3L));
    }
}

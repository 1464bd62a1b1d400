package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.node.audit.AuditLine;
import io.baton.node.audit.EventsFile;
import io.baton.proto.Event;
import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.WatchRequest;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 4: every node, the witness included, appends every committed event to
 * {@code DATA_DIR/events.jsonl}. A real cluster moves its group back and forth; the three files must
 * hold the same lines, seq 1, 2, 3, ... with none twice, the lines of the events the admin API shows.
 * Then the witness is SIGKILLed and the group moves while it is away, and server1 is stopped cleanly
 * and restarted: both replay their logs (and catch up from the leader) and must neither write an event
 * again nor miss one.
 */
class AuditTrailIT {
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration STARTUP = Duration.ofSeconds(120);
    static final Duration MOVE = Duration.ofSeconds(60);
    static final Duration WRITTEN = Duration.ofSeconds(30);
    static final String SUBNET = "127.0.85";

    Path dir;
    LocalCluster cluster;

    @BeforeEach
    void workDir() throws Exception {
        // Kept after the run (under target/) so that a failure's node logs and files can be read.
        dir = RunDirs.fresh("audit-trail");
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyNodeWritesEveryEventOnceInOrderAcrossRestarts() throws Exception {
        cluster = new LocalCluster(dir, SUBNET, HEARTBEAT, LEASE);
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        cluster.awaitOnline("server1", STARTUP);
        move("server2");
        move("server1");
        List<String> before = awaitSameFiles(List.of("server1", "server2", "witness"));
        assertTrue(before.stream().anyMatch(l -> l.contains("\"kind\":\"granted\"") && l.contains("\"server2\"")),
                () -> "no grant to server2 in " + before);

        // The operator's command names its caller (the tests' admin certificate); the cluster's own events do not.
        if (LocalCluster.TLS) {
            String caller = "\"caller\":\"" + LocalCluster.ADMIN_CERT + " (admin)\"";
            assertTrue(before.stream().filter(l -> l.contains("\"kind\":\"move\"")).allMatch(l -> l.contains(caller)),
                    () -> "a move without " + caller + " in " + before);
            assertTrue(before.stream().filter(l -> l.contains("\"kind\":\"node-up\""))
                    .allMatch(l -> l.contains("\"caller\":\"\"")), () -> "a node-up with a caller in " + before);
        }

        // The file holds what the replicated state holds, line for line.
        for (Event e : recentEvents()) {
            assertEquals(AuditLine.of(e), before.get((int) e.getSeq() - 1), "event " + e.getSeq());
        }

        // The witness crashes and the group moves without it; server1 stops cleanly while the group is
        // on server2; both come back, replay their logs and catch up, and the group moves back.
        cluster.kill("witness");
        move("server2");
        cluster.start("witness");
        cluster.awaitAllUp(STARTUP);
        cluster.terminate("server1");
        cluster.start("server1");
        cluster.awaitAllUp(STARTUP);
        move("server1");

        List<String> after = awaitSameFiles(List.of("server1", "server2", "witness"));
        assertEquals(before, after.subList(0, before.size()), "what was written before the restarts is unchanged");
        assertTrue(after.size() > before.size(), "the second move's events were written");
    }

    private void move(String to) {
        // Just after a node is killed its peers may still be electing a leader (the witness may have led).
        await().atMost(MOVE).pollInterval(Duration.ofMillis(200)).ignoreException(StatusRuntimeException.class)
                .until(() -> {
                    cluster.admin("server2").move(MoveRequest.newBuilder().setGroup(LocalCluster.GROUP).setTo(to)
                            .build());
                    return true;
                });
        try {
            cluster.awaitOnline(to, MOVE);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("web not online on " + to + " within " + MOVE.toSeconds() + " s: "
                    + cluster.group().map(Object::toString).orElse("no status") + "\n" + cluster.logTail(40), e);
        }
    }

    private List<Event> recentEvents() {
        List<Event> events = new ArrayList<>();
        cluster.admin("server1").watch(WatchRequest.newBuilder().setRecent(500).build()).forEachRemaining(events::add);
        return events;
    }

    /**
     * Waits until the nodes' files hold the same lines, seq 1 to N without a gap or a repeat, and
     * all the events the admin API shows; returns the lines.
     */
    private List<String> awaitSameFiles(List<String> nodes) {
        Map<String, List<String>> files = new LinkedHashMap<>();
        try {
            await().atMost(WRITTEN).pollInterval(Duration.ofMillis(100)).until(() -> {
                long last = recentEvents().stream().mapToLong(Event::getSeq).max().orElse(0);
                for (String n : nodes) {
                    files.put(n, lines(n));
                }
                List<String> first = files.get(nodes.get(0));
                return first.size() >= last && files.values().stream().allMatch(first::equals);
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("events.jsonl differ or lag: " + files, e);
        }
        List<String> lines = files.get(nodes.get(0));
        List<Long> seqs = lines.stream().map(l -> AuditLine.seqOf(l).orElseThrow(() -> new AssertionError(l))).toList();
        assertEquals(LongStream.rangeClosed(1, lines.size()).boxed().toList(), seqs, "seq 1 to N, each once");
        return lines;
    }

    private List<String> lines(String node) throws IOException {
        Path file = dir.resolve("data").resolve(node).resolve(EventsFile.NAME);
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}

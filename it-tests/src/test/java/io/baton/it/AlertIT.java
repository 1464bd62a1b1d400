package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 2: an exec alert on a real 3-node cluster receives the {@code granted} event of a
 * SIGKILL takeover, under one event id, and delivery goes on from the next leader after the leader
 * (the witness) is killed: what the old leader delivered but had not committed comes again under
 * the same id, nothing under a new one, and the new leader's events arrive.
 */
class AlertIT {
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration STARTUP = Duration.ofSeconds(120);
    static final Duration CHANGE = Duration.ofSeconds(60);

    Path dir;
    LocalCluster cluster;

    @BeforeEach
    void workDir() throws Exception {
        dir = RunDirs.fresh("alerts");
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The alert log: one line per delivery, "ID KIND GROUP NODE EPOCH". */
    private List<String> deliveries() throws Exception {
        Path log = dir.resolve("alerts.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private boolean delivered(String kind, String group, String node) throws Exception {
        return deliveries().stream().anyMatch(l -> l.matches("\\d+ " + kind + " " + group + " " + node + " \\d+"));
    }

    @Test
    void aTakeoversGrantIsAlertedUnderOneIdAcrossALeaderChange() throws Exception {
        cluster = new LocalCluster(dir, "127.0.88", HEARTBEAT, LEASE);
        Path log = dir.resolve("alerts.log");
        cluster.appendConfig("alerts:\n"
                + "  - {type: exec, events: [granted, node-down, node-up, online], command: 'echo \"$BATON_EVENT_ID $BATON_EVENT_KIND"
                + " ${BATON_EVENT_GROUP:--} ${BATON_EVENT_NODE:--} $BATON_EVENT_EPOCH\" >> " + log + "'}\n");
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        cluster.awaitOnline("server1", STARTUP);
        await("the first grant alerted").atMost(CHANGE).until(() -> delivered("granted", "web", "server1"));
        await("the witness leads").atMost(CHANGE).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.status().map(s -> s.getLeader().equals("witness")).orElse(false));

        cluster.kill("server1");
        cluster.awaitOnline("server2", CHANGE);
        await("the takeover's grant alerted").atMost(CHANGE).until(() -> delivered("granted", "web", "server2"));
        cluster.start("server1");
        cluster.awaitAllUp(STARTUP);

        // The leader that delivered everything so far goes: the next one, a data node, resumes.
        cluster.kill("witness");
        await("the new leader alerts the witness's loss").atMost(CHANGE).until(() -> delivered("node-down", "-", "witness"));

        List<String> lines = deliveries();
        Map<String, List<String>> byId = new LinkedHashMap<>();
        for (String l : lines) {
            byId.computeIfAbsent(l.split(" ")[0], k -> new ArrayList<>()).add(l);
        }
        for (List<String> same : byId.values()) {
            assertEquals(1, Set.copyOf(same).size(), "one id, one event: " + same);
        }
        Set<String> takeoverIds = lines.stream().filter(l -> l.matches("\\d+ granted web server2 \\d+"))
                .map(l -> l.split(" ")[0]).collect(Collectors.toSet());
        assertEquals(1, takeoverIds.size(), "the takeover's grant under exactly one id: " + lines);
        List<Long> firstSeen = byId.keySet().stream().map(Long::parseLong).toList();
        assertEquals(firstSeen.stream().sorted().toList(), firstSeen, "delivered in event order: " + lines);
        System.out.println("AlertIT: " + lines.size() + " deliveries of " + byId.size() + " events ("
                + (lines.size() - byId.size()) + " again after the leader change)");
    }
}

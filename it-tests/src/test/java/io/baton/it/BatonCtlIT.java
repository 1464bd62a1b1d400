package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator's view: bin/batonctl run as a process against a real cluster, checking what an
 * operator reads and the exit status (0 done, 1 refused with one line, 2 usage).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatonCtlIT {
    static LocalCluster cluster;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void startCluster() throws Exception {
        Path dir = Path.of("target", "it-runs", "batonctl").toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        cluster = new LocalCluster(dir, "127.0.27", Duration.ofMillis(250), Duration.ofSeconds(3));
        cluster.startAll();
        cluster.awaitAllUp(Duration.ofSeconds(60));
        cluster.awaitOnline("server1", Duration.ofSeconds(60));
        // The witness has the highest Raft priority: leadership settles there.
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.status()
                .filter(st -> st.getLeader().equals("witness")).isPresent());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Run batonctl(String... args) throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("baton.home"));
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/batonctl").toString(),
                "--endpoint", cluster.endpoints()));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().putAll(cluster.ctlEnv());
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    @Order(1)
    void statusShowsNodesGroupsAndResources() throws Exception {
        Run r = batonctl("status");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s).*witness\\s+witness\\s+zone-witness\\s+up\\s+leader.*"), r.out());
        assertTrue(r.out().matches("(?s).*web\\s+server1\\s+\\d+\\s+online.*"), r.out());
        assertTrue(r.out().contains("nlb-probe=active"), r.out());

        Run json = batonctl("status", "--output", "json");
        assertEquals(0, json.exit());
        assertTrue(json.out().contains("\"owner\": \"server1\""), json.out());
    }

    @Test
    @Order(2)
    void refusalsExitOneWithOneLineNamingTheProblem() throws Exception {
        Run unknownGroup = batonctl("move", "db", "--to", "server2");
        assertEquals(1, unknownGroup.exit());
        assertEquals("batonctl: unknown group 'db'; groups: web\n", unknownGroup.err());

        Run witness = batonctl("move", "web", "--to", "witness");
        assertEquals(1, witness.exit());
        assertEquals("batonctl: node 'witness' is a witness: witnesses vote but own no group\n", witness.err());

        Run unknownNode = batonctl("start", "web", "--on", "server9");
        assertEquals(1, unknownNode.exit());
        assertTrue(unknownNode.err().startsWith("batonctl: unknown node 'server9'"), unknownNode.err());

        Run usage = batonctl("move", "web");
        assertEquals(2, usage.exit());
        assertTrue(usage.err().contains("--to"), usage.err());
        assertEquals("server1", cluster.group().orElseThrow().getOwner(), "refusals change nothing");
    }

    @Test
    @Order(3)
    void moveWaitsUntilOnlineAndShowsInEvents() throws Exception {
        Run move = batonctl("move", "web", "--to", "server2", "--wait");
        assertEquals(0, move.exit(), move.err());
        assertTrue(move.out().contains("web is online on server2"), move.out());

        Run events = batonctl("events", "--last", "10");
        assertEquals(0, events.exit(), events.err());
        assertTrue(events.out().matches("(?s).*move\\s+web\\s+server2.*released\\s+web\\s+server1.*granted\\s+web\\s+server2.*online\\s+web\\s+server2.*"),
                events.out());
    }

    @Test
    @Order(4)
    void stopAndStartOnANode() throws Exception {
        Run stop = batonctl("stop", "web", "--wait");
        assertEquals(0, stop.exit(), stop.err());
        assertTrue(batonctl("status").out().matches("(?s).*web\\s+-\\s+\\d+\\s+(stopped|offline).*"));
        assertTrue(!cluster.appRunning("server1") && !cluster.appRunning("server2"));

        Run start = batonctl("start", "web", "--on", "server1", "--wait");
        assertEquals(0, start.exit(), start.err());
        assertTrue(cluster.appRunning("server1"));
    }

    @Test
    @Order(5)
    void aNodeThatLoadedAnotherClusterFileShowsAsAMismatchInStatus() throws Exception {
        assertFalse(batonctl("status").out().contains("mismatch"));
        // server2 restarted with a copy of the file that differs by a comment: the same cluster, another file.
        Path other = cluster.configFile().resolveSibling("cluster-edited.yaml");
        Files.writeString(other, Files.readString(cluster.configFile()) + "# edited on server2 only\n");
        cluster.terminate("server2");
        cluster.start("server2", List.of(), other);
        String shown = await().atMost(Duration.ofSeconds(30)).until(() -> batonctl("status").out(),
                out -> out.contains("mismatch"));
        assertTrue(shown.matches("(?s).*Warning: +cluster file mismatch: server1 and witness loaded [0-9a-f]{12},"
                + " server2 loaded [0-9a-f]{12} \\(copy one file to every node; 'batonctl config apply FILE' makes a change live\\)\n.*"), shown);
        // The same file again: the warning goes.
        cluster.terminate("server2");
        cluster.start("server2");
        await().atMost(Duration.ofSeconds(30)).until(() -> batonctl("status").out(), out -> !out.contains("mismatch")
                && out.contains("server2") && cluster.status().orElseThrow().getNodesList().stream()
                        .anyMatch(n -> n.getId().equals("server2") && n.getAlive()));
    }

    @Test
    @Order(6)
    void aDownTargetIsRefusedAndWithoutQuorumWritesAreUnavailable() throws Exception {
        cluster.kill("server2");
        await().atMost(Duration.ofSeconds(15)).until(() -> cluster.status().orElseThrow().getNodesList().stream()
                .anyMatch(n -> n.getId().equals("server2") && !n.getAlive()));
        Run down = batonctl("move", "web", "--to", "server2");
        assertEquals(1, down.exit());
        assertEquals("batonctl: node 'server2' is down\n", down.err());

        cluster.kill("witness");
        Run noQuorum = batonctl("stop", "web");
        assertEquals(1, noQuorum.exit());
        assertTrue(noQuorum.err().startsWith("batonctl: no quorum"), noQuorum.err());
    }
}

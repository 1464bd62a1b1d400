package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.Event;
import io.baton.proto.admin.WatchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Application monitors on a real cluster on loopback: the application is a web server in a JVM of
 * its own, killed with SIGKILL; an http monitor (1 s, 2 failures, 1 restart within 10 min) notices.
 * The S1 observer polls both probe ports throughout.
 */
class MonitorIT {
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration STARTUP = Duration.ofSeconds(60);
    /** failures · interval + an interval, a restart or a failover, with room for a loaded CI machine. */
    static final Duration RECOVERY = Duration.ofSeconds(30);
    /**
     * start_grace: the web server is a fresh JVM; on a loaded CI machine its first requests can take longer
     * than the 500 ms timeout, and two such checks would restart it (probe port closed) right after it came
     * online, as an operator's cold-starting application would without a grace.
     */
    static final String MONITOR = "monitor: {type: http, port: " + LocalCluster.APP_PORT
            + ", path: /, interval: 1s, timeout: 500ms, failures: 2, start_grace: 2s}, restart: {max: 1, within: 10m}";

    Path dir;
    LocalCluster cluster;
    ProbeObserver observer;

    @BeforeEach
    void start(TestInfo info) throws Exception {
        dir = Path.of("target", "it-runs", "monitor-" + info.getTestMethod().orElseThrow().getName()).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        cluster = new LocalCluster(dir, "127.0.41", HEARTBEAT, LEASE, 0, MONITOR);
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        cluster.awaitOnline("server1", STARTUP);
        observer = new ProbeObserver(cluster, 180_000);
    }

    @AfterEach
    void stop() throws Exception {
        if (observer != null) {
            observer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private List<String> events() {
        List<String> kinds = new ArrayList<>();
        cluster.admin("witness").watch(WatchRequest.newBuilder().setRecent(200).build())
                .forEachRemaining((Event e) -> kinds.add(e.getKind() + ":" + e.getNode() + ":" + e.getMessage()));
        return kinds;
    }

    private boolean hasEvent(String kind, String node) {
        return events().stream().anyMatch(e -> e.startsWith(kind + ":" + node + ":"));
    }

    private long killApp(String node) {
        long pid = cluster.appPid(node).orElseThrow(() -> new AssertionError("no web server on " + node));
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        return pid;
    }

    private void assertSingleActive() {
        assertTrue(observer.rounds() > 0, "the observer never ran");
        assertEquals(List.of(), observer.violations(), () -> "S1 violated\n" + cluster.logTail(60));
    }

    @Test
    void aKilledApplicationIsRestartedInPlace() {
        long first = killApp("server1");
        await().atMost(RECOVERY).pollInterval(Duration.ofMillis(100))
                .until(() -> hasEvent("restarted", "server1") && cluster.appPid("server1").filter(p -> p != first)
                        .flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false));
        cluster.awaitOnline("server1", RECOVERY);
        assertTrue(hasEvent("monitor-failed", "server1"), () -> String.join("\n", events()));
        assertEquals("server1", cluster.group().orElseThrow().getOwner());
        assertTrue(cluster.probeOpen("server1"), () -> "server1's probe port is open\n" + cluster.logTail(60));
        assertSingleActive();
    }

    @Test
    void anApplicationThatKeepsDyingFailsOverOnceItsRestartsAreUsedUp() {
        long first = killApp("server1");
        await().atMost(RECOVERY).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.appPid("server1").filter(p -> p != first).flatMap(ProcessHandle::of)
                        .map(ProcessHandle::isAlive).orElse(false) && hasEvent("restarted", "server1"));
        cluster.awaitOnline("server1", RECOVERY);
        killApp("server1");
        cluster.awaitOnline("server2", RECOVERY);
        assertTrue(hasEvent("failover", "server1"), () -> String.join("\n", events()));
        assertTrue(cluster.group().orElseThrow().getFailedOnList().contains("server1"));
        assertTrue(cluster.probeOpen("server2"), () -> "server2's probe port is open\n" + cluster.logTail(60));
        assertNotEquals(true, cluster.probeOpen("server1"), () -> "the failed node's probe port is closed\n"
                + cluster.logTail(60));
        assertSingleActive();
    }
}

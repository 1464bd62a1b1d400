package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.Event;
import io.baton.proto.PhaseProto;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.WatchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Real clusters on loopback, one JVM per node, real signals. Each test starts its own cluster on its
 * own loopback addresses; an observer polls both probe ports throughout and fails the test if both
 * were ever open at once (S1).
 */
class FailoverIT {
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration STARTUP = Duration.ofSeconds(60);

    Path dir;
    LocalCluster cluster;
    ProbeObserver observer;

    @BeforeEach
    void workDir(TestInfo info) throws Exception {
        // Kept after the run (under target/) so that a failure's node logs can be read.
        dir = Path.of("target", "it-runs", info.getTestMethod().orElseThrow().getName()).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
    }

    LocalCluster start(String subnet) throws Exception {
        cluster = new LocalCluster(dir, subnet, HEARTBEAT, LEASE);
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        cluster.awaitOnline("server1", STARTUP);
        observer = new ProbeObserver(cluster, 180_000);
        return cluster;
    }

    @AfterEach
    void tearDown(TestInfo info) throws Exception {
        if (observer != null) {
            observer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private void assertSingleActive() {
        assertTrue(observer.rounds() > 0, "the observer never ran");
        assertEquals(List.of(), observer.violations(), () -> "S1 violated\n" + cluster.logTail(60));
    }

    private List<String> eventKinds() {
        List<String> kinds = new ArrayList<>();
        cluster.admin("witness").watch(WatchRequest.newBuilder().setRecent(200).build())
                .forEachRemaining((Event e) -> kinds.add(e.getKind() + ":" + e.getNode()));
        return kinds;
    }

    @Test
    void moveHandsTheGroupOverInOrder() throws Exception {
        start("127.0.21");
        observer.awaitFreshRound();
        observer.awaitOpen("server1");
        assertTrue(cluster.appRunning("server1"));
        long epoch = cluster.group().orElseThrow().getEpoch();

        cluster.admin("server2").move(MoveRequest.newBuilder().setGroup("web").setTo("server2").build());
        GroupStatus g = cluster.awaitOnline("server2", Duration.ofSeconds(20));

        assertEquals(epoch + 1, g.getEpoch());
        observer.awaitFreshRound();
        observer.awaitOpen("server2");
        assertFalse(observer.open("server1"));
        assertTrue(cluster.appRunning("server2"));
        assertFalse(cluster.appRunning("server1"));
        List<String> kinds = eventKinds();
        int move = kinds.indexOf("move:server2");
        int released = kinds.indexOf("released:server1");
        int granted = kinds.lastIndexOf("granted:server2");
        assertTrue(move >= 0 && move < released && released < granted, kinds::toString);
        assertTrue(cluster.appStarts().get(cluster.appStarts().size() - 1).endsWith("server2 " + (epoch + 1)),
                "scripts see group, node and epoch");
        assertSingleActive();
    }

    @Test
    void ownerKilledTheOtherTakesOverAfterTheLease() throws Exception {
        start("127.0.22");
        long epoch = cluster.group().orElseThrow().getEpoch();
        long killed = System.nanoTime();
        cluster.kill("server1");

        await().atMost(LEASE.multipliedBy(3)).pollInterval(Duration.ofMillis(10))
                .until(() -> observer.open("server2"));
        long takeoverMs = (System.nanoTime() - killed) / 1_000_000;
        GroupStatus g = cluster.awaitOnline("server2", Duration.ofSeconds(10));
        System.out.printf("takeover after SIGKILL: %d ms (lease %d ms)%n", takeoverMs, LEASE.toMillis());

        assertEquals(epoch + 1, g.getEpoch());
        assertTrue(takeoverMs >= LEASE.toMillis() - HEARTBEAT.toMillis() * 2,
                "a takeover before the lease could run out breaks S1: " + takeoverMs + " ms");
        assertTrue(eventKinds().contains("granted:server2"));
        assertTrue(cluster.appRunning("server1"), "SIGKILL leaves the application the daemon started");

        // A restarted daemon does not know what survived: it stops what it does not own, and stands by.
        cluster.start("server1");
        await().atMost(Duration.ofSeconds(30)).until(() -> !cluster.appRunning("server1"));
        assertEquals("server2", cluster.group().orElseThrow().getOwner(), "no failback");
        assertSingleActive();
    }

    @Test
    void aCleanStopOfTheOwnerHandsTheGroupOverInsteadOfWaitingForTheLease() throws Exception {
        start("127.0.28");
        long epoch = cluster.group().orElseThrow().getEpoch();
        long stopped = System.nanoTime();
        cluster.process("server1").destroy(); // SIGTERM, not waited for: the hand-over happens meanwhile
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> observer.open("server2"));
        System.out.printf("probe port on server2 open %d ms after SIGTERM of the owner (lease %d ms)%n",
                (System.nanoTime() - stopped) / 1_000_000, LEASE.toMillis());
        cluster.terminate("server1");

        GroupStatus g = cluster.awaitOnline("server2", Duration.ofSeconds(20));
        assertEquals(epoch + 1, g.getEpoch());
        List<String> kinds = eventKinds();
        // A move (and its release) rather than a lease expiry: the old owner stopped in order first.
        assertTrue(kinds.contains("move:server2"), kinds::toString);
        assertTrue(kinds.contains("released:server1"), kinds::toString);
        assertFalse(cluster.appRunning("server1"), "the stopped node's application is stopped");
        assertSingleActive();
    }

    @Test
    void pausedOwnerIsReplacedAndStaysFencedWhenItResumes() throws Exception {
        start("127.0.23");
        cluster.signal("server1", "STOP");
        cluster.awaitOnline("server2", LEASE.multipliedBy(4));

        cluster.signal("server1", "CONT");
        // Once resumed, the old owner must find its lease gone and keep its probe port closed.
        await().during(LEASE).atMost(LEASE.plusSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> !observer.open("server1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.open("server2"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.appRunning("server1"));
        GroupStatus g = cluster.group().orElseThrow();
        assertEquals("server2", g.getOwner());
        assertEquals(PhaseProto.PHASE_ONLINE, g.getPhase());
        assertSingleActive();
    }

    @Test
    void losingTheWitnessMovesNothing() throws Exception {
        start("127.0.24");
        GroupStatus before = cluster.group().orElseThrow();
        cluster.kill("witness");

        // Owner and epoch unchanged for two leases, and the other node's probe port never opens.
        await().during(LEASE.multipliedBy(2)).atMost(LEASE.multipliedBy(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> cluster.group().filter(g -> g.getOwner().equals("server1")
                        && g.getEpoch() == before.getEpoch()).isPresent() && !observer.open("server2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.open("server1"));
        assertTrue(cluster.appRunning("server1"));
        GroupStatus after = cluster.group().orElseThrow();
        assertEquals("server1", after.getOwner());
        assertEquals(before.getEpoch(), after.getEpoch());
        assertEquals(PhaseProto.PHASE_ONLINE, after.getPhase());
        assertSingleActive();
    }

    @Test
    void ownerCutOffFromTheQuorumClosesItsProbePort() throws Exception {
        start("127.0.25");
        // Freezing both other voters leaves server1 alone: no heartbeat can commit, so its lease runs out.
        cluster.signal("witness", "STOP");
        cluster.signal("server2", "STOP");
        long cut = System.nanoTime();
        await().atMost(LEASE.multipliedBy(2)).pollInterval(Duration.ofMillis(10))
                .until(() -> !observer.open("server1"));
        long fencedMs = (System.nanoTime() - cut) / 1_000_000;
        assertTrue(fencedMs <= LEASE.toMillis() + 200, "fenced after " + fencedMs + " ms");
        await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.appRunning("server1"));

        cluster.signal("witness", "CONT");
        cluster.signal("server2", "CONT");
        await().atMost(LEASE.multipliedBy(4)).pollInterval(Duration.ofMillis(50))
                .until(() -> cluster.group().filter(g -> g.getPhase() == PhaseProto.PHASE_ONLINE).isPresent());
        String owner = cluster.group().orElseThrow().getOwner();
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.open(owner));
        assertSingleActive();
    }

    @Test
    void fullClusterRestartResumesFromReplicatedState() throws Exception {
        start("127.0.26");
        cluster.admin("server1").move(MoveRequest.newBuilder().setGroup("web").setTo("server2").build());
        long epoch = cluster.awaitOnline("server2", Duration.ofSeconds(20)).getEpoch();
        observer.close();

        for (LocalCluster.Member m : cluster.members()) {
            cluster.kill(m.id());
        }
        cluster.startAll();
        // server2 held the group: after the restart the replicated state still says so, and it resumes
        // there (preference order alone would have chosen server1).
        GroupStatus g = cluster.awaitOnline("server2", STARTUP);
        assertTrue(g.getEpoch() >= epoch, "epoch went backwards: " + g.getEpoch() + " < " + epoch);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.probeOpen("server2", 100));
        assertFalse(cluster.probeOpen("server1", 100));
        assertFalse(cluster.appRunning("server1"));
    }
}

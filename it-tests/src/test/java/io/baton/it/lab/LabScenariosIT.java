package io.baton.it.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.it.lab.Lab.Host;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault lab's scenarios (issue 4): real hosts in network namespaces, HAProxy health-checking the
 * probe ports, nginx started by the exec resource, faults injected from outside, and an observer in
 * the client that fails the test if both probe ports are ever open at once (S1). Each scenario prints
 * its client-visible outage ({@code lab outage: scenario=...}). Needs root, iproute2, haproxy, nginx;
 * skipped otherwise. See docs/lab.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabScenariosIT extends LabTestBase {
    static final Duration LEASE = LabEnv.LEASE;
    static final long LEASE_MS = LEASE.toMillis();
    /** The takeover's upper end, as in the nemesis: {@link NemesisIT#boundFormula(boolean)}. */
    static final Duration TAKEOVER_BOUND = Duration.ofMillis(NemesisIT.boundMs(NemesisIT.Kind.KILL_RESTART, false));

    LabEnv start(String scenario, LabRuns.Run run) throws Exception {
        Path dir = Path.of("target", "lab-runs", scenario + "-" + run.index()).toAbsolutePath();
        env = LabEnv.start(dir);
        return env;
    }

    static double now() {
        return LabObserver.now();
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /** What changed nothing but was seen while nothing was to change (for the report). */
    record Quiet(int failedChecks, int failedRequests) {
        @Override
        public String toString() {
            return "failed_checks_without_effect=" + failedChecks + " failed_requests=" + failedRequests;
        }
    }

    /**
     * Fails unless, since {@code t}, nothing about ownership changed: no probe port or group change,
     * HAProxy took no server in or out of service, and every page came from {@code owner}. A check that
     * failed short of {@code fall} (UP to UP_1/2 and back) and a request that failed (a CPU hiccup on
     * this small machine) are counted for the report, and show in the outage; they move nothing.
     */
    private Quiet assertNoChangeSince(double t, String owner, String what) {
        List<String> changes = new ArrayList<>();
        int checkFailures = 0;
        int requestFailures = 0;
        Map<String, Boolean> service = null;
        String group = null;
        for (LabObserver.Line l : env.observer.lines()) {
            switch (l.kind()) {
                case "haproxy" -> {
                    Map<String, Boolean> now = new TreeMap<>();
                    l.fields().forEach((k, v) -> now.put(k, LabObserver.inService(v)));
                    if (l.t() >= t) {
                        if (service != null && !now.equals(service)) {
                            changes.add(l.raw());
                        } else if (l.fields().values().stream().anyMatch(v -> v.startsWith("UP_"))) {
                            checkFailures++;
                        }
                    }
                    service = now;
                }
                case "group" -> {
                    // A moment when no node answered status (owner=?), as while a leader is elected,
                    // is not a move; a group line back to the same owner and epoch is not either.
                    String seen = l.get("owner") + "/" + l.get("epoch") + "/" + l.get("phase");
                    if (l.t() < t) {
                        group = seen;
                    } else if (!"?".equals(l.get("owner")) && !seen.equals(group)) {
                        changes.add(l.raw());
                    }
                }
                case "probe", "S1" -> {
                    if (l.t() >= t) {
                        changes.add(l.raw());
                    }
                }
                case "http" -> {
                    if (l.t() >= t) {
                        if (l.fields().containsKey("fail")) {
                            requestFailures++;
                        } else if (!l.get("server").equals(owner)) {
                            changes.add(l.raw());
                        }
                    }
                }
                default -> { }
            }
        }
        assertEquals(List.of(), changes, what);
        return new Quiet(checkFailures, requestFailures);
    }

    // ---- 1 ----

    @LabTest
    @Order(1)
    void moveThroughBatonctlMovesThePage(LabRuns.Run run) throws Exception {
        start("move", run);
        assertEquals(Optional.of("server1"), env.fetchPage(), "the page through HAProxy names server1");
        long epoch = env.observer.group().epoch();

        double t0 = now();
        LabEnv.CtlRun move = env.batonctl("move", "web", "--to", "server2", "--wait");
        double moved = now();
        assertEquals(0, move.exit(), move.out());
        assertTrue(move.out().contains("web is online on server2"), move.out());
        env.awaitServing("server2", Duration.ofSeconds(10));
        assertEquals(Optional.of("server2"), env.fetchPage(), "the page through HAProxy names server2");
        assertEquals(epoch + 1, env.observer.group().epoch());
        assertTrue(env.fencedInside(Host.SERVER1), "server1 stopped nginx and closed its probe port");
        assertTrue(env.activeInside(Host.SERVER2));

        double firstPage = env.observer.firstPageFrom("server2", t0);
        env.recordOutage("move", env.observer.outageMs(t0, now()),
                "batonctl_move_wait_ms=" + ms(moved - t0) + " first_page_from_server2_ms=" + ms(firstPage - t0));
    }

    // ---- 2 ----

    @LabTest
    @Order(2)
    void ownerDaemonKilledPagesComeFromTheOtherServer(LabRuns.Run run) throws Exception {
        start("kill-owner", run);
        long epoch = env.observer.group().epoch();

        double t0 = now();
        env.kill("server1");
        env.awaitServing("server2", TAKEOVER_BOUND);
        double pages = env.observer.firstPageFrom("server2", t0) - t0;
        double probe = env.observer.firstProbeOpen("server2", t0) - t0;
        assertEquals(epoch + 1, env.observer.group().epoch());
        assertTrue(probe >= LEASE_MS - 2 * LabEnv.HEARTBEAT.toMillis(),
                "server2 opened its probe port " + ms(probe) + " ms after the kill, before server1's lease could end");
        assertTrue(pages <= TAKEOVER_BOUND.toMillis(), "pages from server2 after " + ms(pages) + " ms");
        env.recordOutage("kill-owner", env.observer.outageMs(t0, now()),
                "pages_from_server2_after_ms=" + ms(pages) + " probe_open_after_ms=" + ms(probe));

        // SIGKILL leaves server1's nginx running (nothing is left to stop it) but without traffic; a
        // restarted daemon stops what it does not own and stands by.
        assertTrue(env.nginxPid(Host.SERVER1).isPresent(), "nginx survives its daemon's SIGKILL");
        double restarted = now();
        env.startNode("server1");
        await().atMost(LabEnv.STARTUP).pollInterval(Duration.ofMillis(200))
                .until(() -> env.observer.nodeUp("server1") && env.fencedInside(Host.SERVER1));
        assertTrue(env.observer.stillServingFrom("server2"), "no failback: " + env.observer.describe());
        assertEquals(epoch + 1, env.observer.group().epoch());
        assertEquals(List.of(), env.observer.since(restarted, Set.of("probe", "group")).stream()
                .map(LabObserver.Line::raw).toList(), "the restarted node changed nothing");
    }

    // ---- 3 ----

    @LabTest
    @Order(3)
    void ownerLinkDownFencesItselfAndNothingFlapsWhenItReturns(LabRuns.Run run) throws Exception {
        start("link-down", run);
        long epoch = env.observer.group().epoch();

        double t0 = now();
        env.note("link of server1 down");
        env.lab.linkDown(Host.SERVER1);
        // Seen from inside server1: probe port closed and nginx stopped, before the other takes over.
        await().atMost(LEASE.plusSeconds(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> env.fencedInside(Host.SERVER1));
        double fenced = now() - t0;
        env.awaitServing("server2", TAKEOVER_BOUND);
        double pages = env.observer.firstPageFrom("server2", t0) - t0;
        assertTrue(fenced <= LEASE_MS + 1000, "server1 fenced itself " + ms(fenced) + " ms after its link went down");
        assertEquals(epoch + 1, env.observer.group().epoch());
        env.recordOutage("link-down", env.observer.outageMs(t0, now()),
                "fenced_inside_by_ms=" + ms(fenced) + " pages_from_server2_after_ms=" + ms(pages));

        double up = now();
        env.note("link of server1 up");
        env.lab.linkUp(Host.SERVER1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> env.observer.nodeUp("server1"));
        // Nothing flaps: for two leases the owner, epoch, probe ports, HAProxy and the pages stay as they were.
        await().during(LEASE.multipliedBy(2)).atMost(LEASE.multipliedBy(2).plusSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> env.observer.stillServingFrom("server2") && env.observer.group().epoch() == epoch + 1);
        Quiet quiet = assertNoChangeSince(up, "server2", "nothing may change when server1's link returns");
        System.out.println("lab: link-down: after the link returned: " + quiet);
        assertTrue(env.fencedInside(Host.SERVER1), "server1 stays standby");
    }

    // ---- 4 ----

    @LabTest
    @Order(4)
    void witnessLostMovesNothingAndAfterItReturnsAnOwnerFailureIsHandled(LabRuns.Run run) throws Exception {
        start("witness", run);
        LabObserver.Group before = env.observer.group();

        // Killed: server1 and server2 still make a majority; the lease holds and nothing moves.
        double t0 = now();
        env.kill("witness");
        holdsFor(before, LEASE.multipliedBy(2).plusMillis(500));
        Quiet quiet = assertNoChangeSince(t0, before.owner(), "losing the witness moves nothing");
        env.recordOutage("witness-killed", env.observer.outageMs(t0, now()), quiet.toString());
        env.startNode("witness");
        await().atMost(LabEnv.STARTUP).pollInterval(Duration.ofMillis(50)).until(env.observer::allNodesUp);
        // One fault at a time: the restarted witness first takes the Raft leadership back (it has the
        // priority; a data node that leads also hands it over). Cutting it off in the middle of
        // that hand-over, or just after it, is two leader changes in a row, with no heartbeat
        // committing for over a second, which can make the owner fence for a moment (docs/lab.md).
        // So the cut waits for a settled group: every voter heard and the leader not the owner, the
        // same leader in the same term for a whole second.
        String[] settled = {""};
        double[] settledSince = {0};
        await("a settled Raft group: every voter in contact, the leader not the owner, for 1 s")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    Map<String, String> r = env.observer.raft();
                    String leaderTerm = r.get("leader") + "/" + r.get("term");
                    boolean ok = env.observer.raftInContactWithAll() && !before.owner().equals(r.get("leader"));
                    if (!ok || !leaderTerm.equals(settled[0])) {
                        settled[0] = ok ? leaderTerm : "";
                        settledSince[0] = now();
                        return false;
                    }
                    return now() - settledSince[0] >= 1000; // ms
                });
        env.note("raft settled before the cut: " + env.observer.raft());

        // Cut off: the same.
        double t1 = now();
        env.note("link of witness down");
        env.lab.linkDown(Host.WITNESS);
        holdsFor(before, LEASE.multipliedBy(2).plusMillis(500));
        env.note("link of witness up");
        double linkUp = now();
        env.lab.linkUp(Host.WITNESS);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(env.observer::allNodesUp);
        double nodesUp = now();
        // The witness's heartbeats committing (all nodes up) does not mean the leader hears it again: a
        // Raft connection that hung during the outage can stay in TCP retransmission backoff for
        // seconds after the link returns (docs/lab.md). Killing the owner before the leader is in
        // contact with every voter again tests a cluster that tolerates no further failure; wait until
        // status says it does, as an operator would.
        await("the leader hears every voter again (batonctl status: Raft in contact with all)")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(env.observer::raftInContactWithAll);
        double raftBack = now();
        env.note("raft in contact with all voters " + ms(raftBack - linkUp) + " ms after link up: " + env.observer.raft());
        quiet = assertNoChangeSince(t1, before.owner(), "cutting the witness off moves nothing");
        env.recordOutage("witness-cut", env.observer.outageMs(t1, now()), quiet.toString()
                + " nodes_up_after_link_up_ms=" + ms(nodesUp - linkUp) + " raft_contact_after_link_up_ms=" + ms(raftBack - linkUp));

        // With the witness back and the cluster able to survive one more failure, an owner failure is handled.
        double t2 = now();
        env.kill("server1");
        env.awaitServing("server2", TAKEOVER_BOUND);
        assertEquals(before.epoch() + 1, env.observer.group().epoch());
        env.recordOutage("kill-owner-after-witness-returned", env.observer.outageMs(t2, now()),
                "pages_from_server2_after_ms=" + ms(env.observer.firstPageFrom("server2", t2) - t2));
    }

    /**
     * Waits {@code d} checking all along that the group stays exactly as it was: same owner, epoch and
     * phase, only the owner's probe port open, HAProxy sending to it alone (assertNoChangeSince then
     * checks that every page came from it).
     */
    private void holdsFor(LabObserver.Group g, Duration d) {
        String other = g.owner().equals("server1") ? "server2" : "server1";
        await().during(d).atMost(d.plusSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> env.observer.group().equals(g) && env.observer.probeOpen(g.owner())
                        && !env.observer.probeOpen(other) && LabObserver.inService(env.observer.haproxy(g.owner()))
                        && !LabObserver.inService(env.observer.haproxy(other)));
    }

    // ---- 5 ----

    @LabTest
    @Order(5)
    void pausedOwnerIsReplacedAndItsProbePortStaysClosedAfterSigcont(LabRuns.Run run) throws Exception {
        start("pause", run);
        long epoch = env.observer.group().epoch();

        double t0 = now();
        env.signal("server1", "STOP");
        env.awaitServing("server2", TAKEOVER_BOUND);
        double pages = env.observer.firstPageFrom("server2", t0) - t0;
        assertEquals(epoch + 1, env.observer.group().epoch());
        env.recordOutage("pause", env.observer.outageMs(t0, now()), "pages_from_server2_after_ms=" + ms(pages));

        double resumed = now();
        env.signal("server1", "CONT");
        // The resumed node finds its lease over: its probe port never opens again, nginx is stopped.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> env.fencedInside(Host.SERVER1));
        await().during(LEASE).atMost(LEASE.plusSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> env.observer.stillServingFrom("server2") && !env.observer.probeOpen("server1"));
        // (An opening in the instant of SIGCONT is the known bug that assertNoViolations reports.)
        List<String> reopened = env.observer.since(resumed, Set.of("probe")).stream()
                .filter(l -> l.get("server1").equals("open"))
                .filter(l -> LabEnv.STRICT || !env.inResumeWindow(l.t()))
                .map(LabObserver.Line::raw).toList();
        assertEquals(List.of(), reopened, "server1's probe port opened after SIGCONT");
        assertEquals(epoch + 1, env.observer.group().epoch());
    }
}

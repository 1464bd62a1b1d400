package io.baton.it.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.it.lab.Lab.Host;
import io.baton.it.lab.LabEnv.Options;
import io.baton.it.lab.LabObserver.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Application monitors in the fault lab (issue 8): the group's nginx carries an http monitor (GET / on
 * port 80 of the server's own address, {@code interval 1s, timeout 500ms, failures 2}, {@code restart
 * {max: 1, within: 10m}} unless a scenario says otherwise), nginx is SIGKILLed from outside, and the
 * observer in the client checks S1 throughout and measures what a client sees through HAProxy. It also
 * reports the cluster's events ({@code monitor-failed}, {@code restarted}, {@code failover},
 * {@code probe-wait}...) with their wall times, which the scenarios time against the fault's. Each
 * prints {@code lab outage: scenario=...} lines into {@code target/lab-runs/outages.tsv} as
 * LabScenariosIT does. Needs root, iproute2, iptables, haproxy, nginx; skipped otherwise. See
 * docs/lab.md, "Application monitors".
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabMonitorIT extends LabTestBase {
    static final Duration INTERVAL = Options.MONITOR_INTERVAL;
    static final int FAILURES = Options.MONITOR_FAILURES;
    /**
     * Kill to the {@code monitor-failed} event: the target, {@code interval·failures} plus one
     * interval (the kill falls anywhere between two checks), and 1.5 s for a loaded 2-core machine (a
     * check's timeout, a heartbeat, a descheduled JVM). The measured figure is printed.
     */
    static final long DETECTION_BOUND_MS = INTERVAL.toMillis() * FAILURES + INTERVAL.toMillis() + 1500;
    /** Bound on any one recovery step (a restart, a failover, a warning), generous for CI. */
    static final Duration RECOVERY = Duration.ofSeconds(30);
    /** How long "nothing happens" must hold: longer than a detection (3 s) with room. */
    static final Duration QUIET = Duration.ofSeconds(10);
    static final Duration MAINTENANCE_HOLD = Duration.ofSeconds(5);
    static final Duration PROBE_WAIT = Duration.ofSeconds(5);
    /** Served steadily this long before a kill: the monitor has checked a running nginx (two intervals). */
    static final Duration STEADY = INTERVAL.multipliedBy(2);

    private LabEnv start(String scenario, LabRuns.Run run, Options options) throws Exception {
        Path dir = Path.of("target", "lab-runs", scenario + "-" + run.index()).toAbsolutePath();
        env = LabEnv.start(dir, options);
        env.note("options: " + options.describe());
        return env;
    }

    static double now() {
        return LabObserver.now();
    }

    static long wall() {
        return System.currentTimeMillis();
    }

    /** A wall time (an event's) on the monotonic clock of the observer's lines; both clocks of this machine. */
    static double monotonic(long wallMs) {
        return wallMs - (System.currentTimeMillis() - now());
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /** Waits (bounded) for the first event of {@code kind} on {@code node} at or after {@code sinceWall}. */
    private Event awaitEvent(String kind, String node, long sinceWall, Duration within) {
        await(kind + " on " + node).atMost(within).pollInterval(Duration.ofMillis(50))
                .until(() -> env.observer.firstEvent(kind, node, sinceWall).isPresent());
        return env.observer.firstEvent(kind, node, sinceWall).orElseThrow();
    }

    private List<String> eventsSince(long sinceWall, Set<String> kinds) {
        return env.observer.events().stream().filter(e -> e.wallMs() >= sinceWall && kinds.contains(e.kind()))
                .map(Event::toString).toList();
    }

    /** Lines of the nginx scripts' log of {@code action} (start, started, stop) logged at or after {@code sinceWall}. */
    private List<String> scriptLinesSince(String action, long sinceWall) {
        return env.scriptLines().stream().filter(l -> {
            String[] f = l.split(" ");
            return f.length >= 3 && f[1].equals(action) && Double.parseDouble(f[0]) * 1000 >= sinceWall;
        }).toList();
    }

    /** The observer's probe lines since {@code t} in which {@code server}'s port was open. */
    private List<String> probeOpenSince(String server, double t) {
        return env.observer.since(t, Set.of("probe")).stream().filter(l -> l.get(server).equals("open"))
                .map(LabObserver.Line::raw).toList();
    }

    /** Group lines since {@code t} that show another owner, epoch or phase than {@code g} (a moment without an answer aside). */
    private List<String> groupChangesSince(double t, LabObserver.Group g) {
        return env.observer.since(t, Set.of("group")).stream().filter(l -> !l.get("owner").equals("?"))
                .filter(l -> !(l.get("owner").equals(g.owner()) && l.get("epoch").equals(Long.toString(g.epoch()))
                        && l.get("phase").equals(g.phase())))
                .map(LabObserver.Line::raw).toList();
    }

    /**
     * Kills server1's nginx and waits until the monitor has restarted it in place and the page is back;
     * asserts what a restart must look like. Returns [t0 (monotonic), detection ms, restarted ms, pages back ms].
     */
    private double[] killAndAwaitLocalRestart() {
        env.awaitSteady("server1", STEADY);
        LabObserver.Group before = env.observer.group();
        long oldPid = env.nginxPid(Host.SERVER1).orElseThrow();
        double t0 = now();
        long w0 = wall();
        env.killNginx(Host.SERVER1);
        Event failed = awaitEvent("monitor-failed", "server1", w0, RECOVERY);
        Event restarted = awaitEvent("restarted", "server1", w0, RECOVERY);
        await("pages from server1 again").atMost(RECOVERY).pollInterval(Duration.ofMillis(20))
                .until(() -> !Double.isNaN(env.observer.firstPageAfterGap(t0)) && env.observer.servingFrom("server1"));
        double back = env.observer.firstPageAfterGap(t0) - t0;
        long detection = failed.wallMs() - w0;
        assertTrue(failed.message().contains("nginx"), "monitor-failed names the resource: " + failed);
        assertEquals(before.owner(), env.observer.group().owner(), "a local restart moves nothing");
        assertEquals(before.epoch(), env.observer.group().epoch(), "a local restart keeps the epoch");
        assertNotEquals(oldPid, env.nginxPid(Host.SERVER1).orElseThrow(), "a new nginx serves");
        assertEquals(List.of(), eventsSince(w0, Set.of("failover", "failed")), "nothing failed over");
        assertEquals(List.of(), probeOpenSince("server2", t0), "server2's probe port stayed closed");
        assertFalse(env.observer.anyPageFrom("server2", t0), "no page from server2");
        assertTrue(detection <= DETECTION_BOUND_MS, "monitor-failed " + detection + " ms after the kill; bound "
                + DETECTION_BOUND_MS + " ms");
        return new double[] {t0, detection, restarted.wallMs() - w0, back};
    }

    // ---- 1 ----

    @LabTest
    @Order(1)
    void aKilledNginxIsRestartedOnTheSameServer(LabRuns.Run run) throws Exception {
        start("monitor-restart", run, Options.monitored());
        double[] r = killAndAwaitLocalRestart();
        assertTrue(env.activeInside(Host.SERVER1), "nginx and the probe port run on server1");
        assertTrue(env.fencedInside(Host.SERVER2), "nothing runs on server2");
        env.recordOutage("monitor-restart", env.observer.outageMs(r[0], now()), "monitor=http/1s/2 detection_ms="
                + ms(r[1]) + " restarted_event_ms=" + ms(r[2]) + " pages_back_after_ms=" + ms(r[3]));
    }

    // ---- 2 ----

    @LabTest
    @Order(2)
    void anNginxThatKeepsDyingFailsOverToServer2(LabRuns.Run run) throws Exception {
        start("monitor-failover", run, Options.monitored());
        long epoch = env.observer.group().epoch();
        // The one restart {max: 1, within: 10m} allows ...
        double[] first = killAndAwaitLocalRestart();
        env.recordOutage("monitor-restart", env.observer.outageMs(first[0], now()), "monitor=http/1s/2 detection_ms="
                + ms(first[1]) + " restarted_event_ms=" + ms(first[2]) + " pages_back_after_ms=" + ms(first[3]));

        // ... is used up: the second failure within the window fails the group over.
        double t1 = now();
        long w1 = wall();
        env.killNginx(Host.SERVER1);
        Event failed = awaitEvent("monitor-failed", "server1", w1, RECOVERY);
        Event failover = awaitEvent("failover", "server1", w1, RECOVERY);
        env.awaitServing("server2", RECOVERY);
        double pages = env.observer.firstPageFrom("server2", t1) - t1;
        long detection = failed.wallMs() - w1;
        assertEquals(epoch + 1, env.observer.group().epoch(), "one failover, one new epoch");
        assertTrue(env.observer.policy().failedOn().contains("server1"), "server1 has a failure record: "
                + env.observer.policy());
        assertEquals(List.of(), eventsSince(w1, Set.of("restarted")), "no second restart within the window");
        assertTrue(failover.message().contains("nginx"), "the failover says why: " + failover);
        assertTrue(env.fencedInside(Host.SERVER1), "server1 stopped nginx and closed its probe port");
        assertTrue(env.activeInside(Host.SERVER2));
        assertTrue(detection <= DETECTION_BOUND_MS, "monitor-failed " + detection + " ms after the kill");
        env.recordOutage("monitor-failover", env.observer.outageMs(t1, now()), "monitor=http/1s/2 detection_ms="
                + ms(detection) + " failover_event_ms=" + ms(failover.wallMs() - w1) + " pages_from_server2_after_ms="
                + ms(pages));
    }

    // ---- 3 ----

    @LabTest
    @Order(3)
    void whenNginxCannotStartOnServer2EitherTheGroupEndsFailedAndStaysPut(LabRuns.Run run) throws Exception {
        // restart max 0: the first monitor failure goes straight to on_failure (failover, the default).
        start("monitor-nowhere", run, Options.monitored().withRestart("{max: 0, within: 10m}"));
        long epoch = env.observer.group().epoch();
        env.breakNginxConfig(Host.SERVER2);
        env.awaitSteady("server1", STEADY);

        double t0 = now();
        long w0 = wall();
        env.killNginx(Host.SERVER1);
        Event failover = awaitEvent("failover", "server1", w0, RECOVERY);
        await("the group failed on both members").atMost(RECOVERY).pollInterval(Duration.ofMillis(50))
                .until(() -> env.observer.group().phase().equals("failed")
                        && env.observer.policy().failedOn().containsAll(List.of("server1", "server2")));
        double failedAt = now();
        long failedWall = wall();
        env.note("group failed on both members");

        // No flapping: for QUIET the group stays failed, no start script runs, no probe port opens, no nginx runs.
        await("nothing starts again").during(QUIET).atMost(QUIET.plusSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> env.observer.group().phase().equals("failed") && !env.observer.probeOpen("server1")
                        && !env.observer.probeOpen("server2") && env.nginxPid(Host.SERVER1).isEmpty()
                        && env.nginxPid(Host.SERVER2).isEmpty() && scriptLinesSince("start", failedWall).isEmpty());
        LabObserver.Policy policy = env.observer.policy();
        List<String> starts = scriptLinesSince("start", w0).stream().map(l -> l.split(" ")[2]).toList();
        assertEquals(List.of("server2"), starts, "after the kill, one start: server2's, which failed");
        assertEquals(1, env.observer.events("failover", null, w0).size(), "one failover: " + eventsSince(w0,
                Set.of("failover", "failed", "granted", "restarted")));
        assertEquals(List.of(), eventsSince(w0, Set.of("restarted")), "restart max 0: no local restart");
        assertEquals(List.of(), probeOpenSince("server2", t0), "server2's probe port never opened");
        assertFalse(policy.held(), "on_failure failover: not held, waits for a failure record to expire: " + policy);
        assertTrue(env.fencedInside(Host.SERVER1) && env.fencedInside(Host.SERVER2), "nothing runs anywhere");
        double held = now() - failedAt;
        env.recordOutage("monitor-nowhere", env.observer.outageMs(t0, now()), "open_ended=true failover_event_ms="
                + ms(failover.wallMs() - w0) + " failed_on_both_after_ms=" + ms(failedAt - t0) + " stayed_failed_ms="
                + ms(held));

        // The operator repairs server2 and clears the failures: the group starts again, once.
        env.repairNginxConfig(Host.SERVER2);
        long w2 = wall();
        LabEnv.CtlRun clear = env.batonctl("clear", "web");
        assertEquals(0, clear.exit(), clear.out());
        awaitEvent("cleared", null, w2, RECOVERY);
        await("pages again after clear").atMost(RECOVERY).pollInterval(Duration.ofMillis(50))
                .until(() -> env.observer.servingFrom("server1") || env.observer.servingFrom("server2"));
        assertTrue(env.observer.group().epoch() > epoch + 1, "a new grant after clear");
    }

    // ---- 4 ----

    @LabTest
    @Order(4)
    void probeWaitWarnsWhenTheLoadBalancerStopsCheckingAndMovesNothing(LabRuns.Run run) throws Exception {
        start("monitor-probe-wait", run, Options.monitored().withGroupKey("probe_wait", PROBE_WAIT.toSeconds() + "s"));
        LabObserver.Group before = env.observer.group();
        long w0 = wall();
        assertEquals(List.of(), eventsSince(0, Set.of("probe-wait")), "no warning while HAProxy checks every 100 ms");

        // HAProxy stops checking server1 (and keeps sending it traffic: "disable health" leaves it in
        // service), and the observer's own probes, which the probe port would count too, are dropped.
        String answer = env.haproxyCommand("disable health web/server1");
        assertEquals("", answer, "haproxy: disable health");
        env.blockProbePort(Host.SERVER1);
        double t1 = now();
        long w1 = wall();
        Event warning = awaitEvent("probe-wait", "server1", w1, PROBE_WAIT.plus(RECOVERY));
        long measured = warning.wallMs() - w1;
        double seen = warning.t() - t1;
        System.out.printf(Locale.ROOT, "lab: probe-wait: event %d ms after the checks stopped (probe_wait %d ms), the"
                + " observer got it after %.0f ms%n", measured, PROBE_WAIT.toMillis(), seen);
        assertTrue(measured >= PROBE_WAIT.toMillis() - 500, "probe-wait too early: " + measured + " ms");
        assertTrue(measured <= PROBE_WAIT.toMillis() + 2000, "probe-wait " + measured + " ms after the checks stopped");
        await("the warning in the group's status").atMost(RECOVERY).pollInterval(Duration.ofMillis(50))
                .until(() -> env.observer.policy().warnings().contains("probe-wait"));
        // batonctl status shows it. (Retried, bounded: on this small machine an owner whose heartbeats
        // stall past its lease fences and starts again in the same epoch, which clears the warning
        // until probe_wait has passed again; the checks are still blocked, so it comes back.)
        await("batonctl status shows the warning").atMost(RECOVERY).pollInterval(Duration.ofMillis(100))
                .until(() -> env.batonctl("status").out().contains("warning: web: probe-wait"));

        // The checks return: the warning clears (at the first probe the port accepts, maybe the observer's).
        long w2 = wall();
        env.unblockProbePort(Host.SERVER1);
        assertEquals("", env.haproxyCommand("enable health web/server1"), "haproxy: enable health");
        Event cleared = awaitEvent("probe-wait-cleared", "server1", w2, RECOVERY);
        env.awaitServing("server1", RECOVERY);
        await("the warning is gone from status").atMost(RECOVERY).pollInterval(Duration.ofMillis(50))
                .until(() -> env.observer.policy().warnings().isEmpty());

        // Ownership never changed: the same owner and epoch throughout (a fence and restart in the same
        // epoch under CPU starvation, see above, would show as phase starting for a moment).
        assertEquals(before, env.observer.group());
        assertEquals(List.of(), groupChangesSince(t1, before).stream().filter(l -> !l.contains(" owner=" + before.owner() + " epoch="
                + before.epoch() + " ")).toList(), "owner and epoch unchanged");
        assertEquals(List.of(), eventsSince(w0, Set.of("failover", "failed", "monitor-failed", "restarted", "revoked",
                "granted")), "nothing but warnings");
        assertEquals(List.of(), probeOpenSince("server2", t1), "server2's probe port stayed closed");
        assertFalse(env.observer.anyPageFrom("server2", t1), "no page from server2");
        env.recordOutage("probe-wait", env.observer.outageMs(t1, now()), "probe_wait_ms=" + PROBE_WAIT.toMillis()
                + " probe_wait_event_after_ms=" + measured + " observer_saw_it_after_ms=" + ms(seen)
                + " cleared_event_after_ms=" + (cleared.wallMs() - w2));
    }

    // ---- 5 ----

    @LabTest
    @Order(5)
    void inMaintenanceNothingRestartsOrMovesUntilItEnds(LabRuns.Run run) throws Exception {
        start("monitor-maintenance", run, Options.monitored());
        LabObserver.Group before = env.observer.group();
        LabEnv.CtlRun on = env.batonctl("maintenance", "on", "web");
        assertEquals(0, on.exit(), on.out());
        await("maintenance in status").atMost(RECOVERY).pollInterval(Duration.ofMillis(50))
                .until(() -> env.observer.policy().maintenance());
        LabEnv.CtlRun status = env.batonctl("status");
        assertTrue(status.out().contains("MAINTENANCE"), status.out());

        double t1 = now();
        long w1 = wall();
        env.killNginx(Host.SERVER1);
        // Monitors suspended: nothing notices, restarts or moves, however long it lasts.
        await("nothing restarts or moves in maintenance").during(MAINTENANCE_HOLD)
                .atMost(MAINTENANCE_HOLD.plusSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> env.observer.group().equals(before) && env.nginxPid(Host.SERVER1).isEmpty()
                        && env.nginxPid(Host.SERVER2).isEmpty() && scriptLinesSince("start", w1).isEmpty()
                        && eventsSince(w1, Set.of("monitor-failed", "restarted", "failover", "failed")).isEmpty());
        assertEquals(List.of(), groupChangesSince(t1, before), "nothing moved");
        assertEquals(List.of(), probeOpenSince("server2", t1), "server2's probe port stayed closed");
        assertTrue(Double.isNaN(env.observer.firstPageAfterGap(t1)), "no page while nginx is down");

        double t2 = now();
        long w2 = wall();
        LabEnv.CtlRun off = env.batonctl("maintenance", "off", "web");
        assertEquals(0, off.exit(), off.out());
        // Timed from the committed "maintenance off" (batonctl's own start-up is not the cluster's).
        Event ended = awaitEvent("maintenance", null, w2, RECOVERY);
        assertTrue(ended.message().contains("off"), ended.toString());
        Event failed = awaitEvent("monitor-failed", "server1", w2, RECOVERY);
        awaitEvent("restarted", "server1", w2, RECOVERY);
        await("pages from server1 again").atMost(RECOVERY).pollInterval(Duration.ofMillis(20))
                .until(() -> !Double.isNaN(env.observer.firstPageAfterGap(t1)) && env.observer.servingFrom("server1"));
        assertFalse(env.observer.policy().maintenance());
        assertEquals(before.epoch(), env.observer.group().epoch(), "restarted in place");
        double back = env.observer.firstPageAfterGap(t1);
        env.recordOutage("monitor-maintenance", env.observer.outageMs(t1, now()), "held_in_maintenance_ms="
                + ms(t2 - t1) + " monitor_failed_after_maintenance_off_ms=" + (failed.wallMs() - ended.wallMs())
                + " pages_back_after_maintenance_off_ms=" + ms(back - monotonic(ended.wallMs())));
    }
}

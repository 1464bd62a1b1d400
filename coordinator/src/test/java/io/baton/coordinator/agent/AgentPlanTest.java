package io.baton.coordinator.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.core.CoreFixture;
import io.baton.proto.ActivityProto;
import io.baton.proto.HeldGrant;
import io.baton.proto.PhaseProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent's plan for group web on server1, driven step by step with no threads: resources
 * disk, app (monitored: 2 failures, 1 restart within 10 s, 500 ms start grace) and probe (last).
 * A step's effect on the fake resources is applied by hand, as the daemon's executor would.
 */
class AgentPlanTest {
    static final long MS = 1_000_000L;
    static final int DISK = 0;
    static final int APP = 1;
    static final int PROBE = 2;
    static final MonitorSpec APP_MONITOR = new MonitorSpec(2, 500 * MS, 1, 10_000 * MS);

    private final CoreFixture f = new CoreFixture();
    private final OwnerLease lease = new OwnerLease(3_000 * MS, 1_000 * MS);
    private PlanPolicy policy = policy(false, 0);
    private GroupMemory m = new GroupMemory(policy);
    private final Observed[] resources = {Observed.INACTIVE, Observed.INACTIVE, Observed.INACTIVE};
    private final List<String> done = new ArrayList<>();
    private long now = 10_000 * MS;
    private long probes = 0;
    private boolean maintenance;

    private static PlanPolicy policy(boolean keep, long probeWaitNanos) {
        return new PlanPolicy(List.of("disk", "app", "probe"), Arrays.asList(null, APP_MONITOR, null), PROBE, keep,
                probeWaitNanos);
    }

    private void use(PlanPolicy p) {
        policy = p;
        m = new GroupMemory(p);
    }

    /** web granted to server1 at epoch 1, the lease confirming it. */
    private void granted() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        renew(1);
    }

    private void renew(long epoch) {
        lease.confirmed(now, List.of(HeldGrant.newBuilder().setGroup("web").setEpoch(epoch)
                .setPhase(PhaseProto.PHASE_STARTING).build()));
    }

    private Step next() {
        return AgentPlan.next(policy, m, new PlanInput("server1", f.group("web"), lease, maintenance,
                List.of(resources), probes, now));
    }

    /** Runs steps, each succeeding, until the plan is idle; returns the steps as "start app" lines. */
    private List<String> settle() {
        done.clear();
        for (int i = 0; i < 20; i++) {
            Step s = next();
            if (s instanceof Step.Start start) {
                resources[start.index()] = Observed.ACTIVE;
                done.add("start " + policy.names().get(start.index()));
                AgentPlan.started(policy, m, start.index(), true, "", now);
            } else if (s instanceof Step.Stop stop) {
                resources[stop.index()] = Observed.INACTIVE;
                done.add("stop " + policy.names().get(stop.index()));
                AgentPlan.stopped(policy, m, stop.index(), true, "", now);
            } else {
                return List.copyOf(done);
            }
        }
        throw new AssertionError("no idle after 20 steps: " + done);
    }

    private void check(boolean healthy, String error) {
        AgentPlan.checked(policy, m, APP, m.resource(APP).generation(), healthy, error, now);
    }

    private void activeAtEpoch1() {
        granted();
        assertEquals(List.of("start disk", "start app", "start probe"), settle());
        assertEquals(ActivityProto.ACTIVITY_ACTIVE, m.activity());
        now += 1_000 * MS;
        renew(1);
    }

    @Test
    void startsOneResourceAtATimeInOrderProbePortLast() {
        granted();
        assertEquals(new Step.Start(DISK, 1), next());
        assertEquals(ActivityProto.ACTIVITY_STARTING, m.activity());
        resources[DISK] = Observed.ACTIVE;
        assertEquals(new Step.Start(APP, 1), next());
        resources[APP] = Observed.ACTIVE;
        assertEquals(new Step.Start(PROBE, 1), next());
        resources[PROBE] = Observed.ACTIVE;
        assertInstanceOf(Step.Idle.class, next());
        assertEquals(ActivityProto.ACTIVITY_ACTIVE, m.activity());
    }

    @Test
    void aFailedMonitorRestartsLocallyClosingTheProbePortFirst() {
        activeAtEpoch1();
        assertTrue(AgentPlan.monitoring(policy, m, APP, false));
        check(false, "connection refused");
        assertEquals(List.of(), settle(), "one failure of two is not a verdict");
        check(false, "connection refused");
        assertEquals(Verdict.FAILED, m.resource(APP).verdict());
        assertEquals(List.of("stop probe", "stop app", "start app", "start probe"), settle(),
                "the probe port closes before the application stops, and opens after it is up again");
        assertEquals(ActivityProto.ACTIVITY_ACTIVE, m.activity());
        assertEquals(1, m.resource(APP).restartsTotal());
        assertEquals(Verdict.WAITING, m.resource(APP).verdict(), "a new start: no verdict yet");
    }

    @Test
    void restartsUsedUpStopEverythingAndReportAMonitorFailure() {
        activeAtEpoch1();
        check(false, "refused");
        check(false, "refused");
        settle();
        now += 1_000 * MS;
        renew(1);
        check(false, "HTTP 503");
        check(false, "HTTP 503");
        assertEquals(List.of("stop probe", "stop app", "stop disk"), settle());
        assertEquals(ActivityProto.ACTIVITY_FAILED, m.activity());
        assertTrue(m.monitorFailed());
        assertEquals(1, m.failedEpoch());
        assertTrue(m.message().contains("app: monitor failed (HTTP 503)"), m.message());
        assertTrue(m.message().contains("1 restart within 10s used up"), m.message());
        assertEquals(List.of(), settle(), "a failed epoch is never started again here");
    }

    @Test
    void restartsOlderThanTheWindowAreForgotten() {
        activeAtEpoch1();
        check(false, "refused");
        check(false, "refused");
        settle();
        now += 11_000 * MS;
        renew(1);
        check(false, "refused");
        check(false, "refused");
        assertEquals(List.of("stop probe", "stop app", "start app", "start probe"), settle());
        assertEquals(2, m.resource(APP).restartsTotal());
    }

    @Test
    void noRestartAllowedFailsOverAtOnce() {
        use(new PlanPolicy(List.of("disk", "app", "probe"),
                Arrays.asList(null, new MonitorSpec(1, 0, 0, 60_000 * MS), null), PROBE, false, 0));
        activeAtEpoch1();
        check(false, "refused");
        assertEquals(List.of("stop probe", "stop app", "stop disk"), settle());
        assertTrue(m.monitorFailed());
        assertTrue(m.message().contains("no local restart allowed"), m.message());
    }

    @Test
    void onFailureKeepLeavesTheGroupUpDegradedUntilTheCheckPassesAgain() {
        use(policy(true, 0));
        activeAtEpoch1();
        check(false, "refused");
        check(false, "refused");
        settle();
        now += 1_000 * MS;
        renew(1);
        check(false, "refused");
        check(false, "refused");
        assertEquals(List.of(), settle(), "nothing stops");
        assertTrue(m.degraded());
        assertEquals(ActivityProto.ACTIVITY_ACTIVE, m.activity());
        assertTrue(m.message().contains("on_failure keep"), m.message());
        check(true, "");
        settle();
        assertFalse(m.degraded());
        assertEquals("", m.message());
    }

    @Test
    void failuresWithinTheStartGraceAndResultsOfAnOlderStartGiveNoVerdict() {
        granted();
        settle();
        long generation = m.resource(APP).generation();
        now += 100 * MS;
        check(false, "still starting");
        check(false, "still starting");
        assertEquals(Verdict.WAITING, m.resource(APP).verdict());
        now += 500 * MS;
        assertFalse(AgentPlan.checked(policy, m, APP, generation - 1, false, "old", now));
        assertEquals(0, m.resource(APP).consecutiveFailures());
        check(false, "refused");
        assertEquals(Verdict.FAILING, m.resource(APP).verdict());
    }

    @Test
    void maintenanceSuspendsMonitorsAndRestarts() {
        activeAtEpoch1();
        assertFalse(AgentPlan.monitoring(policy, m, APP, true));
        check(false, "refused");
        check(false, "refused");
        maintenance = true;
        assertEquals(List.of(), settle(), "nothing restarts in maintenance");
        maintenance = false;
        assertEquals(List.of("stop probe", "stop app", "start app", "start probe"), settle(),
                "maintenance off: the failed verdict is acted on");
    }

    @Test
    void losingTheLeaseMidActivationStopsWhatStartedInReverse() {
        granted();
        assertEquals(new Step.Start(DISK, 1), next());
        resources[DISK] = Observed.ACTIVE;
        AgentPlan.started(policy, m, DISK, true, "", now);
        now += 5_000 * MS;
        assertEquals(List.of("stop disk"), settle(), "only what it tried to start");
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, m.activity());
    }

    /** web granted at epoch 1, its disk started, its app's start under way and failing. */
    private void appStartFailing() {
        granted();
        next();
        resources[DISK] = Observed.ACTIVE;
        AgentPlan.started(policy, m, DISK, true, "", now);
        assertEquals(new Step.Start(APP, 1), next());
        resources[APP] = Observed.FAILED;
    }

    @Test
    void aFailedStartRollsBackAndIsReportedFailedOnlyOnceEverythingIsDown() {
        appStartFailing();
        AgentPlan.started(policy, m, APP, false, "start script exited with status 1", now);
        assertEquals(new Step.Stop(APP), next(), "the partly started one first");
        assertEquals(ActivityProto.ACTIVITY_STOPPING, m.activity(), "not FAILED while something may be up");
        assertEquals(List.of("stop app", "stop disk"), settle());
        assertEquals(ActivityProto.ACTIVITY_FAILED, m.activity());
        assertFalse(m.monitorFailed(), "a failed start, not a monitor failure");
        assertEquals("app: start script exited with status 1", m.message());
    }

    /** A start that failed because this node fenced itself (its lease lapsed meanwhile) is no failed activation. */
    @Test
    void aStartThatFailedAfterTheLeaseLapsedIsTriedAgainNotReportedFailed() {
        appStartFailing();
        now += 3_000 * MS; // the lease lapsed while the start ran
        AgentPlan.started(policy, m, APP, false, "mount failed", false, now);
        assertEquals(List.of("stop app", "stop disk"), settle(), "the lapse's deactivation stops what started");
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, m.activity(), "not FAILED: nothing is known against this node");
        renew(1);
        assertEquals(List.of("start disk", "start app", "start probe"), settle(), "started again once confirmed");
        assertEquals(ActivityProto.ACTIVITY_ACTIVE, m.activity());
    }

    @Test
    void aStartThatFailedAfterTheLeaseLapsedStopsEverythingFirstIfTheLeaseIsBackAtOnce() {
        appStartFailing();
        AgentPlan.started(policy, m, APP, false, "mount failed", false, now);
        assertEquals(List.of("stop app", "stop disk", "start disk", "start app", "start probe"), settle(),
                "the lease confirmed again before the next step: a clean start from the first resource");
        assertEquals(ActivityProto.ACTIVITY_ACTIVE, m.activity());
    }

    @Test
    void aFailedStopIsRetriedEverySecondAndReportedStopping() {
        activeAtEpoch1();
        now += 5_000 * MS;
        assertEquals(new Step.Stop(PROBE), next());
        resources[PROBE] = Observed.INACTIVE;
        AgentPlan.stopped(policy, m, PROBE, true, "", now);
        assertEquals(new Step.Stop(APP), next());
        resources[APP] = Observed.FAILED;
        AgentPlan.stopped(policy, m, APP, false, "timed out", now);
        assertEquals(new Step.Stop(DISK), next(), "the rest still stops");
        resources[DISK] = Observed.INACTIVE;
        AgentPlan.stopped(policy, m, DISK, true, "", now);
        Step idle = next();
        assertEquals(new Step.Idle(now + AgentPlan.STOP_RETRY_NANOS), idle);
        assertEquals(ActivityProto.ACTIVITY_STOPPING, m.activity());
        assertTrue(m.stopFailed());
        assertEquals("stop failed: app: timed out", m.message());
        assertInstanceOf(Step.Idle.class, next(), "not retried before a second");
        now += AgentPlan.STOP_RETRY_NANOS;
        assertEquals(List.of("stop probe", "stop app", "stop disk"), settle());
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, m.activity());
        assertFalse(m.stopFailed());
    }

    @Test
    void probeWaitWarnsWhenTheLoadBalancerStopsCheckingAndClearsWhenItReturns() {
        use(policy(false, 5_000 * MS));
        activeAtEpoch1();
        probes = 3;
        settle();
        now += 4_000 * MS;
        renew(1);
        settle();
        assertEquals(List.of(), m.warnings());
        now += 1_000 * MS;
        settle();
        assertEquals(1, m.warnings().size());
        assertTrue(m.warnings().get(0).startsWith("probe-wait: no health check from the load balancer for 5s"));
        probes = 4;
        settle();
        assertEquals(List.of(), m.warnings());
    }

    @Test
    void aReleasingOwnerStopsThenReportsReleased() {
        activeAtEpoch1();
        f.ok(CoreFixture.stop("web"));
        lease.confirmed(now, List.of(HeldGrant.newBuilder().setGroup("web").setEpoch(1)
                .setPhase(PhaseProto.PHASE_RELEASING).build()));
        assertEquals(List.of("stop probe", "stop app", "stop disk"), settle());
        assertTrue(m.released());
        assertEquals(1, m.releasedEpoch());
    }

    /** Runs one deactivation pass in which the app's stop fails with {@code why}. */
    private void failingStopPass(String why) {
        for (int i = 0; i < 10; i++) {
            Step s = next();
            if (s instanceof Step.Stop stop) {
                boolean ok = stop.index() != APP;
                resources[stop.index()] = ok ? Observed.INACTIVE : Observed.FAILED;
                AgentPlan.stopped(policy, m, stop.index(), ok, ok ? "" : why, now);
            } else {
                return;
            }
        }
        throw new AssertionError("the pass did not end");
    }

    @Test
    void aFailingStopIsReportedAndAfterFiveTriesWaitsForAnOperatorsClear() {
        activeAtEpoch1();
        now += 5_000 * MS;
        String why = "stop script for 'app' exited with status 3: stopping nginx\nnginx: bind() failed";
        failingStopPass(why);
        assertEquals(List.of("stop-failed: stop script for 'app' exited with status 3: stopping nginx ... nginx: bind() failed"),
                m.warnings().stream().map(w -> w.replace("app: ", "")).toList());
        for (int pass = 2; pass <= AgentPlan.STOP_TRIES; pass++) {
            now += AgentPlan.STOP_RETRY_NANOS;
            failingStopPass(why);
        }
        assertTrue(m.warnings().stream().anyMatch(w -> w.startsWith("stop-stuck: 5 stops in a row failed")), m.warnings()::toString);
        assertTrue(m.warnings().stream().anyMatch(w -> w.contains("'batonctl clear web'")), m.warnings()::toString);
        now += 60_000 * MS;
        assertEquals(new Step.Idle(Long.MAX_VALUE), next(), "no more retries on its own");
        assertEquals(ActivityProto.ACTIVITY_STOPPING, m.activity(), "still possibly up: never failed or released");

        f.ok(io.baton.proto.Command.newBuilder().setClearFailures(
                io.baton.proto.ClearFailures.newBuilder().setGroup("web")).build());
        assertEquals(new Step.Stop(PROBE), next(), "an operator's clear: the stop is tried again");
        assertFalse(m.warnings().stream().anyMatch(w -> w.startsWith("stop-stuck")));
        assertEquals(List.of("stop probe", "stop app", "stop disk"), settleFrom(new Step.Stop(PROBE)));
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, m.activity());
        assertEquals(List.of(), m.warnings(), "a stop that worked clears both warnings");
    }

    /** {@link #settle} when {@code first} was already asked for. */
    private List<String> settleFrom(Step first) {
        Step.Stop stop = (Step.Stop) first;
        resources[stop.index()] = Observed.INACTIVE;
        AgentPlan.stopped(policy, m, stop.index(), true, "", now);
        List<String> rest = settle();
        List<String> all = new ArrayList<>();
        all.add("stop " + policy.names().get(stop.index()));
        all.addAll(rest);
        return all;
    }
}
